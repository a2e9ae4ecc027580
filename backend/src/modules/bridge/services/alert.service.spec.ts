import { describe, expect, it } from 'vitest';
import { CARD_TEXT_MAX, cardText } from './alert.service';

describe('alert card text (unit)', () => {
  it('names the channel, the contact and the item, then the text', () => {
    expect(cardText({ channelName: 'Avito shop', contactName: 'Мария', itemTitle: 'iPhone 13', body: 'Still for sale?' })).toBe(
      '💬 Avito shop\n👤 Мария\n📦 iPhone 13\n\nStill for sale?',
    );
  });

  it('leaves the item line out when there is none, and says a file came when there is no text', () => {
    expect(cardText({ channelName: 'Bot', contactName: 'Ivan', body: '  ' })).toBe('💬 Bot\n👤 Ivan\n\n[a file]');
  });

  it('cuts the text to 1,000 characters, the last one an ellipsis', () => {
    const text = cardText({ channelName: 'Bot', contactName: 'Ivan', body: 'x'.repeat(5000) }).split('\n\n')[1];
    expect(text).toHaveLength(CARD_TEXT_MAX);
    expect(text.endsWith('…')).toBe(true);
    expect(cardText({ channelName: 'Bot', contactName: 'Ivan', body: 'y'.repeat(CARD_TEXT_MAX) }).split('\n\n')[1]).toBe('y'.repeat(CARD_TEXT_MAX));
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDOFF_KEYWORDS } from '@/modules/bridge/models/channel.model';
import type { MessageResponseDto } from '@/schemas/message.dto';
import { askedForPerson, historyFor } from './ai-agent.service';

const msg = (body: string | null, from: 'customer' | 'operator' | 'ai'): MessageResponseDto =>
  ({
    id: body ?? 'x',
    body,
    senderId: from === 'operator' ? 'u1' : null,
    senderContactId: from === 'customer' ? 'c1' : null,
    ...(from === 'ai' ? { senderKind: 'ai', senderName: 'AI' } : {}),
  }) as MessageResponseDto;

describe('AI agent rules (unit)', () => {
  it('finds the hand-off keywords as whole words in any case, in English and in Russian with its endings', () => {
    expect(askedForPerson('Можно ОПЕРАТОРА?', DEFAULT_HANDOFF_KEYWORDS)).toBe('оператор');
    expect(askedForPerson('Какая операция?', DEFAULT_HANDOFF_KEYWORDS)).toBeNull();
    expect(askedForPerson('Ответьте оперативно', DEFAULT_HANDOFF_KEYWORDS)).toBeNull();
    expect(askedForPerson('Позовите оператор, пожалуйста', DEFAULT_HANDOFF_KEYWORDS)).toBe('оператор');
    expect(askedForPerson('Хочу поговорить с живым человеком', DEFAULT_HANDOFF_KEYWORDS)).toBe('живой человек');
    expect(askedForPerson('Соедините с менеджером', DEFAULT_HANDOFF_KEYWORDS)).toBe('менеджер');
    expect(askedForPerson('humans only', DEFAULT_HANDOFF_KEYWORDS)).toBe('human');
    expect(askedForPerson('a good humor', DEFAULT_HANDOFF_KEYWORDS)).toBeNull();
    expect(askedForPerson('нужен живой   человек', DEFAULT_HANDOFF_KEYWORDS)).toBe('живой человек');
    expect(askedForPerson('Talk to a HUMAN please', DEFAULT_HANDOFF_KEYWORDS)).toBe('human');
    expect(askedForPerson('a humane answer', DEFAULT_HANDOFF_KEYWORDS)).toBeNull();
    expect(askedForPerson('Менеджер!', DEFAULT_HANDOFF_KEYWORDS)).toBe('менеджер');
    expect(askedForPerson('refund (now)', ['refund (now)'])).toBe('refund (now)');
  });

  it('keeps the newest history within the token budget, oldest first, customer as user and everyone else as assistant', () => {
    const history = [msg('a'.repeat(400), 'customer'), msg('hello', 'ai'), msg('operator here', 'operator'), msg(null, 'customer'), msg('last question', 'customer')];
    expect(historyFor(history, 1000)).toEqual([
      { role: 'user', content: 'a'.repeat(400) },
      { role: 'assistant', content: 'hello' },
      { role: 'assistant', content: 'operator here' },
      { role: 'user', content: 'last question' },
    ]);
    expect(historyFor(history, 30).map((m) => m.content)).toEqual(['hello', 'operator here', 'last question']);
    // The newest message goes even when it alone is over the budget.
    expect(historyFor([msg('x'.repeat(1000), 'customer')], 10)).toHaveLength(1);
  });
});

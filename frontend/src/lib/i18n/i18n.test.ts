import { describe, expect, it } from 'vitest';
import { detectLocale, translate } from './index';
import { formatShort } from './format';

describe('i18n (unit)', () => {
  it('follows the browser language and falls back to English', () => {
    localStorage.clear();
    expect(detectLocale(['ru-RU', 'en-US'])).toBe('ru');
    expect(detectLocale(['de-DE', 'en-GB'])).toBe('en');
    expect(detectLocale(['de-DE', 'fr-FR'])).toBe('en');
  });

  it('prefers the language chosen in settings', () => {
    localStorage.setItem('messenger.locale', 'ru');
    expect(detectLocale(['en-US'])).toBe('ru');
    localStorage.clear();
  });

  it('fills variables and uses English for a key a language lacks', () => {
    expect(translate('ru', 'messages.typingOne', { name: 'Боб' })).toBe('Боб печатает…');
    expect(translate('en', 'messages.readBy', { count: 3 })).toBe('Read by 3');
  });

  it('picks plural forms by the language’s rules', () => {
    expect(translate('en', 'chats.membersCount', { count: 1 })).toBe('1 member');
    expect(translate('en', 'chats.membersCount', { count: 5 })).toBe('5 members');
    expect(translate('ru', 'chats.membersCount', { count: 1 })).toBe('1 участник');
    expect(translate('ru', 'chats.membersCount', { count: 3 })).toBe('3 участника');
    expect(translate('ru', 'chats.membersCount', { count: 5 })).toBe('5 участников');
  });

  it('formats dates in the person’s locale', () => {
    const iso = '2025-03-04T10:00:00.000Z';
    expect(formatShort(iso, 'ru', new Date('2026-01-01T00:00:00Z'))).toMatch(/4 мар/);
    expect(formatShort(iso, 'en', new Date('2026-01-01T00:00:00Z'))).toMatch(/Mar 4|4 Mar/);
  });
});

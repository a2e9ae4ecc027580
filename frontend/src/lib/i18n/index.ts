import { create } from 'zustand';
import { en, type MessageKey } from './en';
import { ru } from './ru';

export type Locale = 'en' | 'ru';
export const LOCALES: ReadonlyArray<{ code: Locale; name: string }> = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
];
const dictionaries: Record<Locale, Partial<Record<MessageKey, string>>> = { en, ru };
const STORAGE_KEY = 'messenger.locale';

/** The saved choice, else the first browser language we speak, else English. */
export function detectLocale(languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'ru') return saved;
  } catch {
    // Storage can be disabled; the browser language still applies.
  }
  for (const lang of languages) {
    const base = lang.toLowerCase().split('-')[0];
    if (base === 'ru' || base === 'en') return base;
  }
  return 'en';
}

interface LocaleState {
  locale: Locale;
  setLocale(locale: Locale): void;
}

export const useLocale = create<LocaleState>()((set) => ({
  locale: detectLocale(),
  setLocale: (locale) => {
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not saved; the choice still holds for this page.
    }
    document.documentElement.lang = locale;
    set({ locale });
  },
}));

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A numeric `count` picks the plural form (`key_one`, `key_few`, `key_many`) when the language has one. */
export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>): string {
  const dict = dictionaries[locale] as Record<string, string | undefined>;
  const count = vars?.count;
  const form = typeof count === 'number' ? dict[`${key}_${new Intl.PluralRules(locale).select(count)}`] : undefined;
  const template = form ?? dictionaries[locale][key] ?? en[key];
  return vars ? template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : template;
}

export function useT(): Translate {
  const locale = useLocale((s) => s.locale);
  return (key, vars) => translate(locale, key, vars);
}

export type { MessageKey };

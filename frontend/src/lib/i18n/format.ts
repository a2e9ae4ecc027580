import { useLocale, type Locale } from './index';

const cache = new Map<string, Intl.DateTimeFormat>();
/** The browser's own regional variant of the UI language (en-GB, ru-RU), so dates look as the person expects. */
function regional(locale: Locale): string {
  const langs = typeof navigator === 'undefined' ? [] : navigator.languages;
  return langs.find((l) => l.toLowerCase().split('-')[0] === locale) ?? locale;
}
function formatter(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(regional(locale), options);
    cache.set(key, f);
  }
  return f;
}

/** Time of day for today, the date otherwise, in the person's locale. */
export function formatShort(iso: string, locale: Locale, now = new Date()): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay
    ? formatter(locale, { hour: '2-digit', minute: '2-digit' }).format(date)
    : formatter(locale, { day: 'numeric', month: 'short' }).format(date);
}

export function formatTime(iso: string, locale: Locale): string {
  return formatter(locale, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatFull(iso: string, locale: Locale): string {
  return formatter(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function useDateFormat() {
  const locale = useLocale((s) => s.locale);
  return {
    short: (iso: string) => formatShort(iso, locale),
    time: (iso: string) => formatTime(iso, locale),
    full: (iso: string) => formatFull(iso, locale),
  };
}

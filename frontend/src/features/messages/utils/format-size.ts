const UNITS = ['B', 'KB', 'MB', 'GB'] as const;

/** 1234567 → "1.2 MB", in the person's number format. */
export function formatSize(bytes: number, locale: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1 }).format(value)} ${UNITS[unit]}`;
}

/** What a search box string means: plain words, "quoted phrases" and prefixes (`достав*`). Pure, so it is unit-tested. */
export interface SearchTerm {
  kind: 'word' | 'phrase' | 'prefix';
  text: string;
}

/** More terms than this add nothing a person would type and only cost planning time. */
export const MAX_SEARCH_TERMS = 16;

const WORD_PIECE = /[\p{L}\p{N}]+/gu;

export function parseSearchQuery(q: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const quoted = /"([^"]*)"/g;
  let rest = '';
  let last = 0;
  for (let match = quoted.exec(q); match; match = quoted.exec(q)) {
    rest += ` ${q.slice(last, match.index)} `;
    last = match.index + match[0].length;
    if (/[\p{L}\p{N}]/u.test(match[1])) terms.push({ kind: 'phrase', text: match[1].trim() });
  }
  // An unclosed quote is read as ordinary words.
  rest += ` ${q.slice(last).replace(/"/g, ' ')}`;
  for (const token of rest.split(/\s+/)) {
    const pieces = token.match(WORD_PIECE);
    if (!pieces) continue;
    if (token.endsWith('*')) {
      // `e-mail*` is the word "e" and the prefix "mail": only the last piece is open-ended.
      for (const piece of pieces.slice(0, -1)) terms.push({ kind: 'word', text: piece });
      terms.push({ kind: 'prefix', text: pieces[pieces.length - 1] });
    } else {
      terms.push({ kind: 'word', text: token });
    }
  }
  return terms.slice(0, MAX_SEARCH_TERMS);
}

/** The words of the query for the typo-tolerant fallback, without quotes and stars. */
export function plainWords(terms: SearchTerm[]): string[] {
  return terms.flatMap((t) => t.text.match(WORD_PIECE) ?? []);
}

export const HIGHLIGHT_START = '\uE000';
export const HIGHLIGHT_STOP = '\uE001';

/**
 * Turns PostgreSQL's ts_headline output (the whole body with private-use markers around matched words) into
 * [start, end) offsets. Null when the marked text is not the body itself (the body contained a marker character).
 */
export function offsetsFromHeadline(body: string, headline: string): Array<[number, number]> | null {
  const spans: Array<[number, number]> = [];
  let plain = '';
  let open = -1;
  for (const ch of headline) {
    if (ch === HIGHLIGHT_START) open = plain.length;
    else if (ch === HIGHLIGHT_STOP) {
      if (open >= 0 && plain.length > open) spans.push([open, plain.length]);
      open = -1;
    } else plain += ch;
  }
  return plain === body ? mergeSpans(spans) : null;
}

const trigrams = (word: string): Set<string> => {
  const padded = `  ${word} `;
  const set = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) set.add(padded.slice(i, i + 3));
  return set;
};

/** pg_trgm's similarity() of two single words: shared trigrams over all trigrams, lower-cased, padded as pg_trgm pads. */
export function trigramSimilarity(a: string, b: string): number {
  const x = trigrams(a.toLowerCase());
  const y = trigrams(b.toLowerCase());
  let shared = 0;
  for (const t of x) if (y.has(t)) shared++;
  return shared / (x.size + y.size - shared);
}

/** Below this a word of the body does not count as a misspelling of a query word. */
export const FUZZY_WORD_SIMILARITY = 0.4;

/** For typo and substring hits, which PostgreSQL cannot mark: body words close to, or containing, a query word. */
export function fuzzyHighlights(body: string, words: string[]): Array<[number, number]> {
  const needles = words.map((w) => w.toLowerCase());
  const spans: Array<[number, number]> = [];
  for (const match of body.matchAll(WORD_PIECE)) {
    const word = match[0].toLowerCase();
    const start = match.index;
    for (const needle of needles) {
      const at = needle.length >= 3 ? word.indexOf(needle) : -1;
      if (at >= 0) {
        spans.push([start + at, start + at + needle.length]);
        break;
      }
      if (trigramSimilarity(needle, word) >= FUZZY_WORD_SIMILARITY) {
        spans.push([start, start + match[0].length]);
        break;
      }
    }
  }
  return mergeSpans(spans);
}

function mergeSpans(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const span of sorted) {
    const prev = out[out.length - 1];
    if (prev && span[0] <= prev[1]) prev[1] = Math.max(prev[1], span[1]);
    else out.push([span[0], span[1]]);
  }
  return out;
}

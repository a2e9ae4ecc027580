import { describe, expect, it } from 'vitest';
import { fuzzyHighlights, HIGHLIGHT_START as S, HIGHLIGHT_STOP as E, offsetsFromHeadline, parseSearchQuery, plainWords, trigramSimilarity } from './search-query';

describe('parseSearchQuery', () => {
  it('reads words, "phrases" and prefixes', () => {
    expect(parseSearchQuery('заказ "завтра утром" достав* order')).toEqual([
      { kind: 'phrase', text: 'завтра утром' },
      { kind: 'word', text: 'заказ' },
      { kind: 'prefix', text: 'достав' },
      { kind: 'word', text: 'order' },
    ]);
  });

  it('reads an unclosed quote as words and keeps only letters and digits in a prefix', () => {
    expect(parseSearchQuery('"адрес доставки')).toEqual([
      { kind: 'word', text: 'адрес' },
      { kind: 'word', text: 'доставки' },
    ]);
    expect(parseSearchQuery("e-mail* :*|!")).toEqual([
      { kind: 'word', text: 'e' },
      { kind: 'prefix', text: 'mail' },
    ]);
    expect(parseSearchQuery('!!! "" *')).toEqual([]);
  });

  it('gives the plain words for the fallback', () => {
    expect(plainWords(parseSearchQuery('"new york" pizza*'))).toEqual(['new', 'york', 'pizza']);
  });
});

describe('highlights', () => {
  it('turns marked headline text into [start, end) offsets of the body', () => {
    const body = 'Где мой заказ? Заказы тоже.';
    expect(offsetsFromHeadline(body, `Где мой ${S}заказ${E}? ${S}Заказы${E} тоже.`)).toEqual([
      [8, 13],
      [15, 21],
    ]);
    expect(offsetsFromHeadline('other text', `${S}x${E}`)).toBeNull();
  });

  it('marks misspelt and contained words for the fallback', () => {
    const body = 'Адрес: Новосибирск, улица Ленина';
    expect(fuzzyHighlights(body, ['Навосибирск']).map(([a, b]) => body.slice(a, b))).toEqual(['Новосибирск']);
    expect(fuzzyHighlights(body, ['сибир']).map(([a, b]) => body.slice(a, b))).toEqual(['сибир']);
    expect(fuzzyHighlights(body, ['молоко'])).toEqual([]);
  });

  it('computes trigram similarity as pg_trgm does for single words', () => {
    expect(trigramSimilarity('Алекс', 'александр')).toBeCloseTo(5 / 11, 5);
    expect(trigramSimilarity('abc', 'abc')).toBe(1);
  });
});

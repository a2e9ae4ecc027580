import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest } from '@/core/errors';
import { SearchRepository, type SearchFilters, type SearchRow } from '@/repositories/search.repository';
import { toMessageResponse } from '@/schemas/message.dto';
import { SEARCH_DEFAULT_LIMIT, type SearchHitDto, type SearchMessagesQueryDto, type SearchMessagesResponseDto } from '@/schemas/search.dto';
import { fuzzyHighlights, HIGHLIGHT_START, HIGHLIGHT_STOP, offsetsFromHeadline, parseSearchQuery, plainWords } from './search-query';

/** When the word search's first page has fewer hits than this, similar spellings fill the page. */
export const FUZZY_FALLBACK_BELOW = 3;

/** Paging: `w` pages through word hits, `f` through the fallback's (which excludes word hits). */
interface Cursor {
  mode: 'w' | 'f';
  offset: number;
}

/** Deep pages of a relevance ranking cost a sort of everything before them; nobody reads that far. */
const MAX_OFFSET = 1000;

const encodeCursor = (cursor: Cursor) => Buffer.from(`${cursor.mode}:${cursor.offset}`).toString('base64url');

function decodeCursor(raw: string | undefined): Cursor {
  if (raw === undefined) return { mode: 'w', offset: 0 };
  const match = /^([wf]):(\d{1,6})$/.exec(Buffer.from(raw, 'base64url').toString());
  if (!match || Number(match[2]) > MAX_OFFSET) throw badRequest('cursor is not one this endpoint returned', ['cursor']);
  return { mode: match[1] as 'w' | 'f', offset: Number(match[2]) };
}

@Injectable()
export class SearchService {
  constructor(private readonly search: SearchRepository) {}

  /**
   * Only the caller's chats are searched (the membership join is inside the query, so a removed member finds nothing
   * from the next request on); deleted messages never, edited ones by their current text (the vector follows the body).
   */
  async messages(auth: AuthContext, query: SearchMessagesQueryDto): Promise<SearchMessagesResponseDto> {
    if (query.from && query.to && new Date(query.from) >= new Date(query.to)) throw badRequest('from must be before to', ['from', 'to']);
    const terms = parseSearchQuery(query.q);
    const words = plainWords(terms);
    if (words.length === 0) throw badRequest('q must contain a letter or a digit', ['q']);
    const limit = query.limit ?? SEARCH_DEFAULT_LIMIT;
    const cursor = decodeCursor(query.cursor);
    const filters: SearchFilters = { userId: auth.userId, chatId: query.chatId, from: query.from, to: query.to, senderId: query.senderId };
    const marks = { start: HIGHLIGHT_START, stop: HIGHLIGHT_STOP };

    let hits: SearchHitDto[] = [];
    let next: Cursor | null = null;
    let fuzzyOffset = cursor.offset;
    if (cursor.mode === 'w') {
      const rows = await this.search.words(filters, terms, limit + 1, cursor.offset, marks);
      hits = rows.slice(0, limit).map((row) => toHit(row, words));
      if (rows.length > limit) next = { mode: 'w', offset: cursor.offset + limit };
      // A quoted phrase asks for exactly those words in that order: similar spellings would only add noise.
      const exact = terms.some((term) => term.kind === 'phrase');
      if (next || exact || cursor.offset > 0 || rows.length >= FUZZY_FALLBACK_BELOW) return this.page(hits, next);
      fuzzyOffset = 0;
    }
    const room = limit - hits.length;
    const similar = await this.search.similar(filters, words.join(' '), terms, room + 1, fuzzyOffset);
    hits = hits.concat(similar.slice(0, room).map((row) => toHit(row, words)));
    if (similar.length > room && fuzzyOffset + room <= MAX_OFFSET) next = { mode: 'f', offset: fuzzyOffset + room };
    return this.page(hits, next);
  }

  private page(items: SearchHitDto[], next: Cursor | null): SearchMessagesResponseDto {
    return { items, nextCursor: next && next.offset <= MAX_OFFSET ? encodeCursor(next) : null };
  }
}

function toHit(row: SearchRow, words: string[]): SearchHitDto {
  const { chatTitle, chatType, headline, ...message } = row;
  const highlights = (headline !== null ? offsetsFromHeadline(message.body, headline) : null) ?? fuzzyHighlights(message.body, words);
  return { message: toMessageResponse(message), chat: { id: message.chatId, title: chatTitle, type: chatType }, highlights };
}

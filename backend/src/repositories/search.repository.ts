import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChatType } from '@/models/chat.entity';
import type { MessageEntity } from '@/models/message.entity';
import type { MessageAttachmentRow } from '@/models/attachment.entity';
import { MESSAGE_COLUMNS } from './columns';

export interface SearchTermInput {
  kind: 'word' | 'phrase' | 'prefix';
  text: string;
}

export interface SearchFilters {
  userId: string;
  chatId?: string;
  from?: string;
  to?: string;
  senderId?: string;
}

export type SearchRow = MessageEntity & {
  attachments: MessageAttachmentRow[];
  chatTitle: string | null;
  chatType: ChatType;
  /** ts_headline of the body with markers around matched words (word search only). */
  headline: string | null;
};

/** The one text-search configuration: Russian Snowball for Cyrillic words, English Snowball for ASCII ones. */
const CONFIG = `'russian'::regconfig`;

/** pg_trgm word_similarity threshold of the fallback: about one wrong letter in a five-letter word still matches. */
const TYPO_THRESHOLD = 0.4;

/**
 * Up to this many messages in the caller's chats, reading them through the (chat_id, seq) index and testing each is
 * cheaper than the GIN indexes: a GIN probe per chat re-expands a prefix or a trigram set over the whole table
 * (measured at 1M messages: 45 ms per chat for `достав*`, against ~1 ms to test a thousand stored vectors).
 */
const SCAN_MAX_MESSAGES = 20_000;

/** How long (and for how many callers) the plan choice is remembered. */
const SCAN_CHOICE_TTL_MS = 30_000;
const SCAN_CHOICE_MAX = 10_000;

/**
 * The tsquery for the terms, ANDed, each built by PostgreSQL from a bound parameter (never spliced text), so it is a
 * constant at plan time and the planner can estimate it against the GIN index. Prefix text is letters and digits only.
 */
function tsquery(terms: SearchTermInput[], params: unknown[]): string {
  if (terms.length === 0) return `''::tsquery`;
  return terms
    .map((term) => {
      params.push(term.text);
      const p = `$${params.length}`;
      if (term.kind === 'phrase') return `phraseto_tsquery(${CONFIG}, ${p})`;
      if (term.kind === 'prefix') return `to_tsquery(${CONFIG}, ${p} || ':*')`;
      return `plainto_tsquery(${CONFIG}, ${p})`;
    })
    .join(' && ');
}

/** Conditions shared by both searches; `$1` is always the caller. Messages of chats the caller is in, never deleted ones. */
function scope(filters: SearchFilters, params: unknown[]): string {
  params.push(filters.chatId ?? null, filters.from ?? null, filters.to ?? null, filters.senderId ?? null);
  const n = params.length;
  return `m.chat_id IN (SELECT cm.chat_id FROM chat_members cm WHERE cm.user_id = $1 AND ($${n - 3}::uuid IS NULL OR cm.chat_id = $${n - 3}::uuid))
      AND m.deleted_at IS NULL
      AND ($${n - 2}::timestamptz IS NULL OR m.created_at >= $${n - 2}::timestamptz)
      AND ($${n - 1}::timestamptz IS NULL OR m.created_at < $${n - 1}::timestamptz)
      AND ($${n}::uuid IS NULL OR m.sender_id = $${n}::uuid)`;
}

/** The page's rows with the message, its chat (a direct chat is titled with the other person's name) and the headline. */
const hydrate = (hits: string, headline: string) => `
  SELECT ${MESSAGE_COLUMNS}, c.type AS "chatType",
         coalesce(c.title, (SELECT u.display_name FROM chat_members o JOIN users u ON u.id = o.user_id
                            WHERE o.chat_id = c.id AND o.user_id <> $1 ORDER BY o.joined_at LIMIT 1)) AS "chatTitle",
         ${headline} AS headline
  FROM ${hits} h JOIN messages m ON m.id = h.id JOIN chats c ON c.id = m.chat_id
  ORDER BY h.rank DESC, h.created_at DESC, h.id DESC`;

@Injectable()
export class SearchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Per caller (and chat filter): whether their chats are small enough to scan, and until when that answer holds. */
  private readonly scanChoice = new Map<string, { scan: boolean; until: number }>();

  /**
   * How many messages the search may look at: the sum of the caller's chats' lengths (seqs are gapless). It only
   * picks the plan (both give the same rows), so a briefly stale answer is harmless and saves a query per search.
   */
  private async scans(filters: SearchFilters): Promise<boolean> {
    const key = `${filters.userId}:${filters.chatId ?? ''}`;
    const now = Date.now();
    const known = this.scanChoice.get(key);
    if (known && known.until > now) return known.scan;
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT coalesce(sum(c.last_message_seq), 0)::int AS n FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
       WHERE cm.user_id = $1 AND ($2::uuid IS NULL OR cm.chat_id = $2::uuid)`,
      [filters.userId, filters.chatId ?? null],
    );
    if (this.scanChoice.size >= SCAN_CHOICE_MAX) this.scanChoice.delete(this.scanChoice.keys().next().value!);
    this.scanChoice.set(key, { scan: row.n <= SCAN_MAX_MESSAGES, until: now + SCAN_CHOICE_TTL_MS });
    return row.n <= SCAN_MAX_MESSAGES;
  }

  /**
   * Word search: `body_tsv @@ query` over the (chat_id, body_tsv) GIN index, ranked by ts_rank then recency. Ranking
   * and paging happen on ids first; only the page's rows are joined for columns, attachments and ts_headline.
   */
  async words(filters: SearchFilters, terms: SearchTermInput[], limit: number, offset: number, marks: { start: string; stop: string }): Promise<SearchRow[]> {
    // `IS TRUE` hides the operator from the planner, so it reads the chats' rows and tests their stored vectors.
    const match = (await this.scans(filters)) ? (q: string) => `(m.body_tsv @@ (${q})) IS TRUE` : (q: string) => `m.body_tsv @@ (${q})`;
    const params: unknown[] = [filters.userId];
    const where = scope(filters, params);
    const q = tsquery(terms, params);
    params.push(limit, offset, `HighlightAll=true, StartSel="${marks.start}", StopSel="${marks.stop}"`);
    const n = params.length;
    return this.dataSource.query(
      `WITH hits AS (
         SELECT m.id, m.created_at, ts_rank(m.body_tsv, ${q}) AS rank
         FROM messages m
         WHERE ${where} AND ${match(q)}
         ORDER BY rank DESC, m.created_at DESC, m.id DESC
         LIMIT $${n - 2} OFFSET $${n - 1}
       )
       ${hydrate('hits', `ts_headline(${CONFIG}, m.body, ${q}, $${n})`)}`,
      params,
    );
  }

  /**
   * The typo and substring fallback: pg_trgm word_similarity (`<%`) over the (chat_id, body gin_trgm_ops) index,
   * excluding what the word search already found. The threshold is set for this transaction only.
   */
  async similar(filters: SearchFilters, text: string, terms: SearchTermInput[], limit: number, offset: number): Promise<SearchRow[]> {
    const scan = await this.scans(filters);
    const params: unknown[] = [filters.userId];
    const where = scope(filters, params);
    const q = tsquery(terms, params);
    params.push(text, limit, offset);
    const n = params.length;
    const statement = (match: string) => `WITH hits AS (
         SELECT m.id, m.created_at, word_similarity($${n - 2}, m.body) AS rank
         FROM messages m
         WHERE ${where} AND ${match} AND NOT (m.body_tsv @@ (${q}))
         ORDER BY rank DESC, m.created_at DESC, m.id DESC
         LIMIT $${n - 1} OFFSET $${n}
       )
       ${hydrate('hits', 'NULL::text')}`;
    // A small set is read through (chat_id, seq) and tested with the function form, which needs no setting; the
    // operator form uses the GIN index and takes its threshold from a setting made for this transaction only.
    if (scan) return this.dataSource.query(statement(`word_similarity($${n - 2}, m.body) >= ${TYPO_THRESHOLD}`), params);
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [String(TYPO_THRESHOLD)]);
      return tx.query(statement(`$${n - 2} <% m.body`), params);
    });
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MessageEntity } from '@/models/message.entity';
import type { ChatWithMembership } from './chat.repository';
import { CHAT_COLUMNS, MESSAGE_COLUMNS } from './columns';

/**
 * The kind of a change, as its rank within one transaction: the reader's removals first, then chats, then messages.
 * `Start` sorts before every kind, so a position with it means "nothing of this transaction seen yet".
 */
export const SyncRank = { Start: -1, Removal: 0, Chat: 1, Message: 2 } as const;
export type SyncRank = (typeof SyncRank)[keyof typeof SyncRank];

/** A position in the change stream. Changes are ordered by (transaction id, rank, chat, seq). */
export interface SyncPosition {
  xid: string;
  rank: SyncRank;
  chatId: string;
  seq: number;
}

export interface SyncChanges {
  /** Every transaction below this id has finished: changes under it can no longer appear. */
  xmin: string;
  removals: Array<{ chatId: string; xid: string }>;
  chats: Array<ChatWithMembership & { xid: string }>;
  messages: Array<MessageEntity & { xid: string }>;
}

@Injectable()
export class SyncRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async currentXmin(): Promise<string> {
    const [row]: Array<{ xmin: string }> = await this.dataSource.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
    return row.xmin;
  }

  /**
   * One statement, so one snapshot: the changes after `from` in the reader's chats, up to `limit` of each kind,
   * and only below the snapshot's xmin, where no transaction can still commit. Messages are read per chat
   * through (chat_id, sync_xid, seq), so the cost follows the reader's chats and changes, not the table.
   */
  async changesSince(userId: string, from: SyncPosition, limit: number): Promise<SyncChanges> {
    const [row]: Array<{ xmin: string; removals: SyncChanges['removals']; chats: SyncChanges['chats']; messages: SyncChanges['messages'] }> =
      await this.dataSource.query(
        `WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
         mine AS MATERIALIZED (SELECT chat_id, last_read_seq FROM chat_members WHERE user_id = $1),
         r AS (
           SELECT r.chat_id AS "chatId", r.sync_xid::text AS xid, r.sync_xid AS sx
           FROM chat_member_removals r, s
           WHERE r.user_id = $1 AND r.sync_xid < s.xmin AND (r.sync_xid, 0, r.chat_id) > ($2::xid8, $3::int, $4::uuid)
             AND NOT EXISTS (SELECT 1 FROM mine WHERE mine.chat_id = r.chat_id)
           ORDER BY r.sync_xid, r.chat_id LIMIT $6
         ),
         c AS (
           SELECT ${CHAT_COLUMNS}, mine.last_read_seq AS "myLastReadSeq", c.sync_xid::text AS xid, c.sync_xid AS sx
           FROM mine JOIN chats c ON c.id = mine.chat_id CROSS JOIN s
           WHERE c.sync_xid < s.xmin AND (c.sync_xid, 1, c.id) > ($2::xid8, $3::int, $4::uuid)
           ORDER BY c.sync_xid, c.id LIMIT $6
         ),
         -- Keys first (index-only per chat), columns only for the page: attachments and the rest are read for at most $6 rows.
         k AS (
           SELECT mine.chat_id, x.sync_xid AS sx, x.seq FROM mine CROSS JOIN s CROSS JOIN LATERAL (
             SELECT m.sync_xid, m.seq FROM messages m
             WHERE m.chat_id = mine.chat_id AND m.sync_xid < s.xmin
               -- (xid, 2, chat, seq) > cursor, rewritten per chat as a range on (sync_xid, seq) that the index serves
               AND (m.sync_xid, m.seq) > ($2::xid8, CASE
                 WHEN (2, mine.chat_id) > ($3::int, $4::uuid) THEN -1
                 WHEN (2, mine.chat_id) = ($3::int, $4::uuid) THEN $5::int
                 ELSE 2147483647 END)
             ORDER BY m.sync_xid, m.seq LIMIT $6
           ) x
           ORDER BY x.sync_xid, mine.chat_id, x.seq LIMIT $6
         ),
         m AS (
           SELECT ${MESSAGE_COLUMNS}, k.sx::text AS xid, k.sx FROM k JOIN messages m ON m.chat_id = k.chat_id AND m.seq = k.seq
         )
         SELECT (SELECT xmin::text FROM s) AS xmin,
           (SELECT coalesce(json_agg(r ORDER BY r.sx, r."chatId"), '[]'::json) FROM r) AS removals,
           (SELECT coalesce(json_agg(c ORDER BY c.sx, c.id), '[]'::json) FROM c) AS chats,
           (SELECT coalesce(json_agg(m ORDER BY m.sx, m."chatId", m.seq), '[]'::json) FROM m) AS messages`,
        [userId, from.xid, from.rank, from.chatId, from.seq, limit],
      );
    return row;
  }
}

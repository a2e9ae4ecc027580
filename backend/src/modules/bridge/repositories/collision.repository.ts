import { Injectable } from '@nestjs/common';
import type { TransactionQuery } from '@/core/message-hooks';

/** Reads, inside a message's own transaction, what other operators wrote in the thread. */
@Injectable()
export class CollisionRepository {
  /** The latest reply (not a note) by another operator after `sinceMs` and before this message. */
  async lastReplyByOtherInTransaction(
    tx: TransactionQuery,
    chatId: string,
    senderId: string,
    sinceMs: number,
    beforeSeq: number,
  ): Promise<{ senderId: string; createdAt: Date } | null> {
    const rows = await tx.query<{ senderId: string; createdAt: Date }>(
      `SELECT m.sender_id AS "senderId", m.created_at AS "createdAt" FROM messages m
       WHERE m.chat_id = $1 AND m.seq < $4 AND m.sender_id IS NOT NULL AND m.sender_id <> $2 AND NOT m.internal
         AND m.deleted_at IS NULL AND m.created_at > to_timestamp($3::float8 / 1000)
       ORDER BY m.seq DESC LIMIT 1`,
      [chatId, senderId, sinceMs, beforeSeq],
    );
    return rows[0] ?? null;
  }
}

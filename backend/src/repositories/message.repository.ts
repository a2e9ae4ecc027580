import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DatabaseError, type Pool } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { MessageAttachmentRow } from '@/models/attachment.entity';
import type { MessageEntity } from '@/models/message.entity';
import { attachmentsOf } from './attachment.repository';
import { MESSAGE_COLUMNS } from './chat.repository';

export interface NewMessage {
  chatId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyToId: string | null;
}

export type InsertResult =
  | { status: 'created'; message: MessageEntity; memberIds: string[] }
  | { status: 'duplicate'; message: MessageEntity }
  | { status: 'not_member' };

type InsertedRow = MessageEntity & { memberIds: string[] };

export type MessageWithAttachments = MessageEntity & { attachments: MessageAttachmentRow[] };

const RETURNING = `id, chat_id AS "chatId", seq, sender_id AS "senderId", sender_contact_id AS "senderContactId", client_id AS "clientId",
  body, reply_to_id AS "replyToId", created_at AS "createdAt", edited_at AS "editedAt", deleted_at AS "deletedAt"`;

/**
 * One statement: check membership, take the next seq under the chat row lock, insert, and move the
 * sender's read marker. Being one statement it is one transaction, so a duplicate clientId rolls the
 * seq back and the sequence stays gapless. It also returns the chat's member ids, read in the same snapshot, so
 * the broadcast needs no second round trip. Parameters: chatId, senderId, clientId, body, replyToId.
 */
const INSERT_MESSAGE = `WITH c AS (
     UPDATE chats SET last_message_seq = last_message_seq + 1, last_message_at = now()
     WHERE id = $1 AND EXISTS (SELECT 1 FROM chat_members WHERE chat_id = $1 AND user_id = $2)
     RETURNING id, last_message_seq
   ), m AS (
     INSERT INTO messages (chat_id, seq, sender_id, client_id, body, reply_to_id)
     SELECT c.id, c.last_message_seq, $2, $3, $4, $5 FROM c
     RETURNING ${RETURNING}
   ), r AS (
     UPDATE chat_members cm SET last_read_seq = m.seq FROM m WHERE cm.chat_id = m."chatId" AND cm.user_id = $2
   )
   SELECT m.*, ARRAY(SELECT user_id FROM chat_members WHERE chat_id = $1) AS "memberIds" FROM m`;

// Reads after an edit or delete carry the attachments too, so the pushed message is whole.
const RETURNING_FULL = `${RETURNING}, ${attachmentsOf('messages')} AS attachments`;

/**
 * A message that came from outside (a bridged customer, or the business account writing from the provider's own app):
 * no membership check (the sender is not a user), the provider's id as the idempotency key, and the seq taken under
 * the chat row lock as for any message. Parameters: chatId, senderContactId, externalId, body, createdAt.
 */
const INSERT_EXTERNAL = `WITH c AS (
     UPDATE chats SET last_message_seq = last_message_seq + 1, last_message_at = GREATEST(coalesce(last_message_at, $5), $5)
     WHERE id = $1 RETURNING id, last_message_seq
   ), m AS (
     INSERT INTO messages (chat_id, seq, sender_contact_id, external_id, body, created_at)
     SELECT c.id, c.last_message_seq, $2, $3, $4, $5 FROM c
     RETURNING ${RETURNING}
   )
   SELECT m.*, ARRAY(SELECT user_id FROM chat_members WHERE chat_id = $1) AS "memberIds" FROM m`;

export interface NewExternalMessage {
  chatId: string;
  senderContactId: string | null;
  externalId: string;
  body: string;
  createdAt: Date;
}

class AttachmentsUnavailable extends Error {}

/** Through TypeORM the driver's error is wrapped; through the pool (the hot insert) it is not. */
const isUniqueViolation = (error: unknown, constraint: string) => {
  const pgError = (error instanceof QueryFailedError ? error.driverError : error) as { code?: string; constraint?: string } | undefined;
  return pgError?.code === '23505' && pgError.constraint === constraint;
};

@Injectable()
export class MessageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The hot path: one round trip (see INSERT_MESSAGE), sent as a named statement straight to the pool, so each
   * connection parses and plans it once; that halves PostgreSQL's CPU per message.
   */
  async insert(input: NewMessage): Promise<InsertResult> {
    try {
      const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
      // Not pool.query(): it destroys the connection on any error, so every duplicate clientId cost a reconnect,
      // and the single-connection embedded server refused that reconnect while the old socket was still open.
      const client = await pool.connect();
      let rows: InsertedRow[];
      try {
        ({ rows } = await client.query<InsertedRow>({
          name: 'message_insert',
          text: INSERT_MESSAGE,
          values: [input.chatId, input.senderId, input.clientId, input.body, input.replyToId],
        }));
      } catch (error) {
        // An error answered by the server leaves the connection usable; anything else may have broken it.
        client.release(error instanceof DatabaseError ? undefined : (error as Error));
        throw error;
      }
      client.release();
      if (rows.length === 0) return { status: 'not_member' };
      const { memberIds, ...message } = rows[0];
      return { status: 'created', message, memberIds };
    } catch (error) {
      return this.duplicateOrThrow(error, input);
    }
  }

  /**
   * The same insert plus claiming the sender's ready, unsent attachments of this chat, in one transaction:
   * the message and all of its files land together or not at all. Only sends with files pay the extra round trips.
   */
  async insertWithAttachments(input: NewMessage, attachmentIds: string[]): Promise<InsertResult | { status: 'attachments_unavailable' }> {
    try {
      return await this.dataSource.transaction(async (tx) => {
        const rows: InsertedRow[] = await tx.query(INSERT_MESSAGE, [input.chatId, input.senderId, input.clientId, input.body, input.replyToId]);
        if (rows.length === 0) return { status: 'not_member' as const };
        const [claimed]: [Array<MessageAttachmentRow & { position: number }>, number] = await tx.query(
          `UPDATE attachments a SET message_id = $1, position = t.pos - 1, updated_at = now()
           FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, pos)
           WHERE a.id = t.id AND a.uploader_id = $3 AND a.chat_id = $4 AND a.status = 'ready' AND a.message_id IS NULL
           RETURNING a.id, a.status, a.file_name AS "fileName", a.content_type AS "contentType", a.size::float8 AS size,
                     a.width, a.height, a.thumbnail_key IS NOT NULL AS "hasThumbnail", a.position`,
          [rows[0].id, attachmentIds, input.senderId, input.chatId],
        );
        if (claimed.length !== attachmentIds.length) throw new AttachmentsUnavailable();
        const attachments = claimed.sort((x, y) => x.position - y.position).map(({ position: _position, ...a }) => a);
        const { memberIds, ...message } = rows[0];
        return { status: 'created' as const, message: { ...message, attachments } as MessageWithAttachments, memberIds };
      });
    } catch (error) {
      if (error instanceof AttachmentsUnavailable) return { status: 'attachments_unavailable' };
      return this.duplicateOrThrow(error, input);
    }
  }

  private async duplicateOrThrow(error: unknown, input: NewMessage): Promise<InsertResult> {
    if (!isUniqueViolation(error, 'messages_sender_client_key')) throw error;
    const existing = await this.findByClientId(input.senderId, input.clientId);
    if (!existing) throw error;
    return { status: 'duplicate', message: existing };
  }

  /** Stores an imported message once per (chat, external id); a repeat returns the stored one. */
  async insertExternal(input: NewExternalMessage): Promise<InsertResult> {
    const existing = await this.findByExternalId(input.chatId, input.externalId);
    if (existing) return { status: 'duplicate', message: existing };
    try {
      const rows: InsertedRow[] = await this.dataSource.query(INSERT_EXTERNAL, [input.chatId, input.senderContactId, input.externalId, input.body, input.createdAt]);
      if (rows.length === 0) return { status: 'not_member' };
      const { memberIds, ...message } = rows[0];
      return { status: 'created', message, memberIds };
    } catch (error) {
      // A concurrent import of the same provider message won; the seq it would have taken was rolled back with it.
      if (!isUniqueViolation(error, 'messages_external_key')) throw error;
      const winner = await this.findByExternalId(input.chatId, input.externalId);
      if (!winner) throw error;
      return { status: 'duplicate', message: winner };
    }
  }

  async findByExternalId(chatId: string, externalId: string): Promise<MessageEntity | null> {
    const rows = await this.dataSource.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.external_id = $2`, [chatId, externalId]);
    return rows[0] ?? null;
  }

  /** Whether an operator's message in the chat is still on its way out (its provider id not known yet). */
  async hasDeliveryInFlight(chatId: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM messages WHERE chat_id = $1 AND delivery->>'state' IN ('queued', 'sending') LIMIT 1`,
      [chatId],
    );
    return rows.length > 0;
  }

  /** Records the provider's id of a message we sent, so its echo or a later poll is recognised as ours. */
  async setExternalId(id: string, externalId: string): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE messages SET external_id = $2 WHERE id = $1 AND (external_id IS NULL OR external_id = $2)`,
      [id, externalId],
    );
    return count > 0;
  }

  async findByClientId(senderId: string, clientId: string): Promise<MessageEntity | null> {
    const rows = await this.dataSource.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.sender_id = $1 AND m.client_id = $2`, [
      senderId,
      clientId,
    ]);
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<MessageEntity | null> {
    const rows = await this.dataSource.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async existsInChat(id: string, chatId: string): Promise<boolean> {
    const rows = await this.dataSource.query('SELECT 1 FROM messages WHERE id = $1 AND chat_id = $2', [id, chatId]);
    return rows.length > 0;
  }

  /** Cursor pages over the (chat_id, seq) index: `after` ascends, otherwise descends from `before` or the end. */
  list(chatId: string, page: { limit: number; before?: number; after?: number }): Promise<MessageEntity[]> {
    if (page.after !== undefined) {
      return this.dataSource.query(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3`,
        [chatId, page.after, page.limit],
      );
    }
    return this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND ($2::int IS NULL OR m.seq < $2) ORDER BY m.seq DESC LIMIT $3`,
      [chatId, page.before ?? null, page.limit],
    );
  }

  async updateBody(id: string, body: string): Promise<MessageEntity | null> {
    const [rows]: [MessageEntity[], number] = await this.dataSource.query(
      `UPDATE messages SET body = $2, edited_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING ${RETURNING_FULL}`,
      [id, body],
    );
    return rows[0] ?? null;
  }

  /** Soft delete that also drops the text, so a deleted message's content is really gone. */
  async softDelete(id: string): Promise<MessageEntity | null> {
    const [rows]: [MessageEntity[], number] = await this.dataSource.query(
      `UPDATE messages SET body = '', deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING ${RETURNING}`,
      [id],
    );
    return rows[0] ?? null;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DatabaseError, type Pool } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { MessageAttachmentRow } from '@/models/attachment.entity';
import type { MessageDelivery, TransactionQuery } from '@/core/message-hooks';
import type { MessageEntity } from '@/models/message.entity';
import { isUnavailableError } from '@/core/unavailable';
import { attachmentsOf, MESSAGE_COLUMNS, messageColumns } from './columns';
import { poolOf, queryNamed } from './prepared';

export interface NewMessage {
  chatId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyToId: string | null;
  internal: boolean;
}

export type InsertResult =
  | { status: 'created'; message: MessageEntity; memberIds: string[] }
  | { status: 'duplicate'; message: MessageEntity }
  | { status: 'not_member' };

/** Runs inside the insert transaction once the row exists; what it returns is written onto the message. */
export type BeforeCommit = (
  tx: TransactionQuery,
  chatType: string,
  message: MessageEntity,
  attachments: MessageAttachmentRow[],
) => Promise<{ delivery?: MessageDelivery } | void>;

/** What a change of an existing message runs inside its transaction. */
export type BeforeChangeCommit = (tx: TransactionQuery, message: MessageEntity) => Promise<void>;

type InsertedRow = MessageEntity & { memberIds: string[]; chatType: string };

export type MessageWithAttachments = MessageEntity & { attachments: MessageAttachmentRow[] };

const RETURNING = messageColumns('messages');

/**
 * One statement: check membership, take the next seq under the chat row lock, insert, and move the
 * sender's read marker. Being one statement it is one transaction, so a duplicate clientId rolls the
 * seq back and the sequence stays gapless. It also returns the chat's member ids, read in the same snapshot, so
 * the broadcast needs no second round trip. Chats of a type in $7 are left alone (no row comes back): a module
 * hooks their writes, so they take the transactional path.
 * Parameters: chatId, senderId, clientId, body, replyToId, internal, skipped chat types.
 */
const INSERT_MESSAGE = `WITH c AS (
     UPDATE chats SET last_message_seq = last_message_seq + 1, last_message_at = now()
     WHERE id = $1 AND type <> ALL($7::text[]) AND EXISTS (SELECT 1 FROM chat_members WHERE chat_id = $1 AND user_id = $2)
     RETURNING id, type, last_message_seq
   ), m AS (
     INSERT INTO messages (chat_id, seq, sender_id, client_id, body, reply_to_id, internal)
     SELECT c.id, c.last_message_seq, $2, $3, $4, $5, $6 FROM c
     RETURNING ${RETURNING}
   ), r AS (
     UPDATE chat_members cm SET last_read_seq = m.seq FROM m WHERE cm.chat_id = m."chatId" AND cm.user_id = $2
   )
   SELECT m.*, (SELECT type FROM c) AS "chatType", ARRAY(SELECT user_id FROM chat_members WHERE chat_id = $1) AS "memberIds" FROM m`;

/**
 * Group commit: many sends (any chats, any senders) in one statement, so one transaction and one WAL flush. Per
 * message the same rules as INSERT_MESSAGE: the sender must be a member, hooked chat types are left out, and a
 * (sender, clientId) already stored, or repeated earlier in the batch, is not inserted. The chats are locked in id
 * order (batches on other connections never deadlock on each other); each chat's seq grows by the number of its
 * messages and they are numbered in arrival order, so seq stays gapless. Whatever a row was not inserted for is
 * decided by the caller one by one. Parameters: arrays of chatId, senderId, clientId, body, replyToId, internal
 * (in arrival order), then the skipped chat types.
 */
const INSERT_BATCH = `WITH input AS (
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::bool[])
       WITH ORDINALITY AS t(chat_id, sender_id, client_id, body, reply_to_id, internal, ord)
   ), fresh AS (
     SELECT DISTINCT ON (i.sender_id, i.client_id) i.*
     FROM input i JOIN chats ch ON ch.id = i.chat_id AND ch.type <> ALL($7::text[])
     WHERE EXISTS (SELECT 1 FROM chat_members cm WHERE cm.chat_id = i.chat_id AND cm.user_id = i.sender_id)
       AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.sender_id = i.sender_id AND x.client_id = i.client_id)
     ORDER BY i.sender_id, i.client_id, i.ord
   ), counts AS (
     SELECT chat_id, count(*)::int AS n FROM fresh GROUP BY chat_id
   ), locked AS MATERIALIZED (
     SELECT ch.id FROM chats ch WHERE ch.id IN (SELECT chat_id FROM counts) ORDER BY ch.id FOR NO KEY UPDATE
   ), c AS (
     UPDATE chats SET last_message_seq = chats.last_message_seq + counts.n, last_message_at = now()
     FROM counts WHERE chats.id = counts.chat_id AND chats.id IN (SELECT id FROM locked)
     RETURNING chats.id, chats.last_message_seq - counts.n AS base
   ), numbered AS (
     SELECT f.*, (c.base + row_number() OVER (PARTITION BY f.chat_id ORDER BY f.ord))::int AS seq
     FROM fresh f JOIN c ON c.id = f.chat_id
   ), m AS (
     INSERT INTO messages (chat_id, seq, sender_id, client_id, body, reply_to_id, internal)
     SELECT chat_id, seq, sender_id, client_id, body, reply_to_id, internal FROM numbered ORDER BY chat_id, seq
     RETURNING ${RETURNING}
   ), r AS (
     UPDATE chat_members cm SET last_read_seq = x.seq
     FROM (SELECT "chatId", "senderId", max(seq) AS seq FROM m GROUP BY 1, 2) x
     WHERE cm.chat_id = x."chatId" AND cm.user_id = x."senderId"
   )
   SELECT m.*, ARRAY(SELECT user_id FROM chat_members WHERE chat_id = m."chatId") AS "memberIds" FROM m`;

const NO_TYPES: string[] = [];

const paramsOf = (input: NewMessage, skipTypes: string[]) => [input.chatId, input.senderId, input.clientId, input.body, input.replyToId, input.internal, skipTypes];

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

/**
 * A message written by an agent of a module (the bridge's AI agent): no user sender, so no membership check and no
 * read marker; the seq under the chat row lock as for any message. A repeat of the same (chat, client id) inserts
 * nothing (the partial unique index on AI messages), and the stored one is returned instead.
 * Parameters: chatId, clientId, body, senderKind, senderName.
 */
const INSERT_AGENT = `WITH c AS (
     UPDATE chats SET last_message_seq = last_message_seq + 1, last_message_at = now()
     WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM messages WHERE chat_id = $1 AND client_id = $2 AND sender_kind = $4)
     RETURNING id, type, last_message_seq
   ), m AS (
     INSERT INTO messages (chat_id, seq, client_id, body, sender_kind, sender_name)
     SELECT c.id, c.last_message_seq, $2, $3, $4, $5 FROM c
     RETURNING ${RETURNING}
   )
   SELECT m.*, (SELECT type FROM c) AS "chatType", ARRAY(SELECT user_id FROM chat_members WHERE chat_id = $1) AS "memberIds" FROM m`;

export interface NewAgentMessage {
  chatId: string;
  clientId: string;
  body: string;
  senderKind: 'ai';
  senderName: string;
}

export interface NewExternalMessage {
  chatId: string;
  senderContactId: string | null;
  externalId: string;
  body: string;
  createdAt: Date;
}

class AttachmentsUnavailable extends Error {}

/** Batches being committed at once; while they are, new sends gather into the next ones. */
export const MAX_BATCHES_IN_FLIGHT = 4;
/** Sends per statement at most. */
export const MAX_BATCH = 128;

interface PendingInsert {
  input: NewMessage;
  skipTypes: string[];
  /** performance.now() when it was taken, for backlogMs. */
  at: number;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

const sameTypes = (a: string[], b: string[]) => a === b || (a.length === b.length && a.every((t, i) => t === b[i]));

/** Through TypeORM the driver's error is wrapped; through the pool (the hot insert) it is not. */
const isUniqueViolation = (error: unknown, constraint: string) => {
  const pgError = (error instanceof QueryFailedError ? error.driverError : error) as { code?: string; constraint?: string } | undefined;
  return pgError?.code === '23505' && pgError.constraint === constraint;
};

@Injectable()
export class MessageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get pool(): Pool {
    return poolOf(this.dataSource);
  }

  /**
   * Sends go through group commit: a send waits for the end of the current event-loop turn, and while
   * MAX_BATCHES_IN_FLIGHT batches are being committed, for one of them to finish; whatever arrived meanwhile (up to
   * MAX_BATCH) is written by one statement (INSERT_BATCH), one transaction, one WAL flush. A lone send takes
   * INSERT_MESSAGE as before. The promise settles only after the commit. `skipTypes` are the chat types whose writes
   * are hooked: for those 'not_member' means "not here", and the caller takes `insertInTransaction`.
   */
  insert(input: NewMessage, skipTypes: string[] = NO_TYPES): Promise<InsertResult> {
    this.pending++;
    return new Promise<InsertResult>((resolve, reject) => {
      this.queue.push({ input, skipTypes, at: performance.now(), resolve, reject });
      this.schedule();
    }).finally(() => this.pending--);
  }

  /**
   * Sends taken and not yet answered (queued, or in a batch being written). Group commit turns many of them into
   * one query, so the pool's queue no longer shows how far behind the database is; this does.
   */
  pendingSends(): number {
    return this.pending;
  }

  /**
   * How long the oldest send not yet committed has waited (queued, or in a batch being written), 0 with none. A
   * count of pending sends alone cannot tell a database that is behind from a short stall of the machine: group commit
   * writes more per batch the more there is, so a burst drains quickly; a backlog that keeps getting older does not.
   */
  backlogMs(now = performance.now()): number {
    let oldest = this.queue.length > 0 ? this.queue[0].at : Infinity;
    // The queue is first in, first out, so each batch's first send is its oldest.
    for (const first of this.writing) oldest = Math.min(oldest, first.at);
    return oldest === Infinity ? 0 : now - oldest;
  }

  private pending = 0;

  private readonly queue: PendingInsert[] = [];
  /** The first send of each batch being committed (at most MAX_BATCHES_IN_FLIGHT). */
  private readonly writing = new Set<PendingInsert>();
  private scheduled = false;

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.writing.size >= MAX_BATCHES_IN_FLIGHT) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.writing.size < MAX_BATCHES_IN_FLIGHT) {
        const batch = this.queue.splice(0, MAX_BATCH);
        this.writing.add(batch[0]);
        void this.commitBatch(batch).finally(() => {
          this.writing.delete(batch[0]);
          this.schedule();
        });
      }
    });
  }

  /**
   * Holds its slot while its statements run (so that sends gather meanwhile), except the few sends the batch left
   * to the single statement (duplicates, non-members, hooked chats): those settle on their own.
   */
  private async commitBatch(batch: PendingInsert[]): Promise<void> {
    const one = (p: PendingInsert) => this.insertOne(p.input, p.skipTypes).then(p.resolve, p.reject);
    const skipTypes = batch[0].skipTypes;
    const together = batch.filter((p) => sameTypes(p.skipTypes, skipTypes));
    const apart = batch.filter((p) => !sameTypes(p.skipTypes, skipTypes));
    if (together.length === 1) {
      await Promise.all(batch.map(one));
      return;
    }
    let rows: InsertedRow[];
    try {
      rows = await this.queryBatch(together.map((p) => p.input), skipTypes);
    } catch (error) {
      // A broken connection or an unreachable server fails exactly this batch's sends (retryable: nothing was
      // committed, the clients resend with the same clientId). Anything the server refused for the data (a
      // duplicate that raced in from another connection, a deadlock) is decided message by message.
      if (error instanceof DatabaseError && !isUnavailableError(error)) {
        await Promise.all(batch.map(one));
      } else {
        for (const p of together) p.reject(error);
        await Promise.all(apart.map(one));
      }
      return;
    }
    const created = new Map(rows.map((row) => [`${row.senderId}\n${row.clientId}`, row]));
    const rest: PendingInsert[] = [...apart];
    for (const p of together) {
      const key = `${p.input.senderId}\n${p.input.clientId}`;
      const row = created.get(key);
      if (row && row.chatId === p.input.chatId) {
        // Taken by the first send of that key; a repeat in the same batch is answered as a duplicate below.
        created.delete(key);
        const { memberIds, chatType: _type, ...message } = row;
        p.resolve({ status: 'created', message, memberIds });
      } else {
        // Not a member, a hooked chat, or a clientId already used: the single statement answers exactly as before.
        rest.push(p);
      }
    }
    void Promise.all(rest.map(one));
  }

  private queryBatch(inputs: NewMessage[], skipTypes: string[]): Promise<InsertedRow[]> {
    return queryNamed<InsertedRow>(this.pool, 'message_insert_batch', INSERT_BATCH, [
      inputs.map((i) => i.chatId),
      inputs.map((i) => i.senderId),
      inputs.map((i) => i.clientId),
      inputs.map((i) => i.body),
      inputs.map((i) => i.replyToId),
      inputs.map((i) => i.internal),
      skipTypes,
    ]);
  }

  /**
   * The hot path: one round trip (see INSERT_MESSAGE), sent as a named statement straight to the pool, so each
   * connection parses and plans it once; that halves PostgreSQL's CPU per message. `skipTypes` are the chat
   * types whose writes are hooked: for those 'not_member' means "not here", and the caller takes `insertInTransaction`.
   */
  private async insertOne(input: NewMessage, skipTypes: string[]): Promise<InsertResult> {
    try {
      const rows = await queryNamed<InsertedRow>(this.pool, 'message_insert', INSERT_MESSAGE, paramsOf(input, skipTypes));
      if (rows.length === 0) return { status: 'not_member' };
      const { memberIds, chatType: _type, ...message } = rows[0];
      return { status: 'created', message, memberIds };
    } catch (error) {
      return this.duplicateOrThrow(error, input);
    }
  }

  /**
   * The same insert plus claiming the sender's ready, unsent attachments of this chat and whatever `beforeCommit`
   * adds, in one transaction: the message, its files and the hook's rows land together or not at all. Only sends
   * with files or into hooked chats pay the extra round trips.
   */
  async insertInTransaction(
    input: NewMessage,
    attachmentIds: string[],
    beforeCommit?: BeforeCommit,
  ): Promise<InsertResult | { status: 'attachments_unavailable' }> {
    try {
      return await this.transaction(async (tx) => {
        const rows = await tx.query<InsertedRow>(INSERT_MESSAGE, paramsOf(input, NO_TYPES));
        if (rows.length === 0) return { status: 'not_member' as const };
        const { memberIds, chatType, ...message } = rows[0];
        let attachments: MessageAttachmentRow[] = [];
        if (attachmentIds.length > 0) {
          const claimed = await tx.query<MessageAttachmentRow & { position: number }>(
            `UPDATE attachments a SET message_id = $1, position = t.pos - 1, updated_at = now()
             FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, pos)
             WHERE a.id = t.id AND a.uploader_id = $3 AND a.chat_id = $4 AND a.status = 'ready' AND a.message_id IS NULL
             RETURNING a.id, a.status, a.file_name AS "fileName", a.content_type AS "contentType", a.size::float8 AS size,
                       a.width, a.height, a.thumbnail_key IS NOT NULL AS "hasThumbnail", a.position`,
            [message.id, attachmentIds, input.senderId, input.chatId],
          );
          if (claimed.length !== attachmentIds.length) throw new AttachmentsUnavailable();
          attachments = claimed.sort((x, y) => x.position - y.position).map(({ position: _position, ...a }) => a);
        }
        const extra = await beforeCommit?.(tx, chatType, message, attachments);
        if (extra?.delivery) {
          await tx.query('UPDATE messages SET delivery = $2 WHERE id = $1', [message.id, extra.delivery]);
          message.delivery = extra.delivery;
        }
        return { status: 'created' as const, message: { ...message, attachments } as MessageWithAttachments, memberIds };
      });
    } catch (error) {
      if (error instanceof AttachmentsUnavailable) return { status: 'attachments_unavailable' };
      return this.duplicateOrThrow(error, input);
    }
  }

  /**
   * An agent's message and whatever the chat type's hook adds, in one transaction; the hook may refuse (throw), and
   * then nothing is stored. 'duplicate' when this client id was already used in the chat by the same kind of agent.
   */
  async insertAgent(input: NewAgentMessage, beforeCommit: BeforeCommit): Promise<InsertResult> {
    // The chat row lock is taken before the duplicate check inside the statement, so two runs of one job serialise.
    return this.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [input.chatId]);
      const rows = await tx.query<InsertedRow>(INSERT_AGENT, [input.chatId, input.clientId, input.body, input.senderKind, input.senderName]);
      if (rows.length === 0) {
        const existing = await tx.query<MessageEntity>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.client_id = $2 AND m.sender_kind = $3`, [
          input.chatId,
          input.clientId,
          input.senderKind,
        ]);
        return existing[0] ? { status: 'duplicate' as const, message: existing[0] } : { status: 'not_member' as const };
      }
      const { memberIds, chatType, ...message } = rows[0];
      const extra = await beforeCommit(tx, chatType, message, []);
      if (extra?.delivery) {
        await tx.query('UPDATE messages SET delivery = $2 WHERE id = $1', [message.id, extra.delivery]);
        message.delivery = extra.delivery;
      }
      return { status: 'created' as const, message, memberIds };
    });
  }

  /** BEGIN … COMMIT on one pooled connection; any throw rolls back and is rethrown. */
  private async transaction<T>(work: (tx: TransactionQuery) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: TransactionQuery = {
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      const rollback = await client.query('ROLLBACK').then(
        () => undefined,
        (e: Error) => e,
      );
      // A connection that could not even roll back is broken: destroy it rather than hand it to the next caller.
      client.release(rollback);
      throw error;
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
    // Our own sent messages carry the provider's id in their delivery state; imported ones in external_id.
    const rows = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND (m.external_id = $2 OR m.delivery->>'externalId' = $2) ORDER BY m.seq LIMIT 1`,
      [chatId, externalId],
    );
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

  /** The newest `limit` messages of a chat, oldest first, notes and deleted ones left out (what an agent may read). */
  async recentVisible(chatId: string, limit: number): Promise<MessageEntity[]> {
    const rows: MessageEntity[] = await this.dataSource.query(
      `SELECT ${messageColumns('m')} FROM messages m
       WHERE m.chat_id = $1 AND m.deleted_at IS NULL AND NOT m.internal ORDER BY m.seq DESC LIMIT $2`,
      [chatId, limit],
    );
    return rows.reverse();
  }

  async findById(id: string): Promise<MessageEntity | null> {
    const rows = await this.dataSource.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async existsInChat(id: string, chatId: string): Promise<boolean> {
    const rows = await this.dataSource.query('SELECT 1 FROM messages WHERE id = $1 AND chat_id = $2', [id, chatId]);
    return rows.length > 0;
  }

  /**
   * Cursor pages over the (chat_id, seq) index: `after` ascends, otherwise descends from `before` or the end;
   * `around` is two index range scans meeting at that seq (it and older ones, then newer ones), newest first.
   * With `memberId` the page is empty unless that user is a member, checked in the same statement (an empty page
   * then needs a membership lookup to tell "no such chat" from "no messages"). Each shape is its own named
   * statement, so the cursor's bound stays an index condition in a generic plan too.
   */
  list(
    chatId: string,
    page: { limit: number; before?: number; after?: number; around?: number; withoutInternal?: boolean; memberId?: string },
  ): Promise<MessageEntity[]> {
    // Notes are left out in SQL, so a page for someone outside (a website visitor) is still a full page.
    const visible = page.withoutInternal ? ' AND NOT m.internal' : '';
    const member = page.memberId === undefined ? '' : ' AND EXISTS (SELECT 1 FROM chat_members cm WHERE cm.chat_id = $1 AND cm.user_id = $2)';
    const shape = `${page.withoutInternal ? '_outside' : ''}${page.memberId === undefined ? '' : '_member'}`;
    const head = page.memberId === undefined ? [chatId] : [chatId, page.memberId];
    const $ = (n: number) => `$${n + head.length}`;
    const run = (kind: string, text: string, values: unknown[]) => queryNamed<MessageEntity>(this.pool, `message_page_${kind}${shape}`, text, [...head, ...values]);
    if (page.around !== undefined) {
      const older = Math.ceil(page.limit / 2);
      return run(
        'around',
        `(SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.seq <= ${$(1)}${visible}${member} ORDER BY m.seq DESC LIMIT ${$(2)})
         UNION ALL
         (SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.seq > ${$(1)}${visible}${member} ORDER BY m.seq ASC LIMIT ${$(3)})
         ORDER BY seq DESC`,
        [page.around, older, page.limit - older],
      );
    }
    if (page.after !== undefined) {
      return run(
        'after',
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.seq > ${$(1)}${visible}${member} ORDER BY m.seq ASC LIMIT ${$(2)}`,
        [page.after, page.limit],
      );
    }
    if (page.before !== undefined) {
      return run(
        'before',
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.seq < ${$(1)}${visible}${member} ORDER BY m.seq DESC LIMIT ${$(2)}`,
        [page.before, page.limit],
      );
    }
    return run('latest', `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = $1${visible}${member} ORDER BY m.seq DESC LIMIT ${$(1)}`, [page.limit]);
  }

  async updateBody(id: string, body: string, beforeCommit?: BeforeChangeCommit): Promise<MessageEntity | null> {
    return this.changeOne(`UPDATE messages SET body = $2, edited_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING ${RETURNING_FULL}`, [id, body], beforeCommit);
  }

  /** Soft delete that also drops the text, so a deleted message's content is really gone. */
  async softDelete(id: string, beforeCommit?: BeforeChangeCommit): Promise<MessageEntity | null> {
    return this.changeOne(`UPDATE messages SET body = '', deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING ${RETURNING}`, [id], beforeCommit);
  }

  /**
   * Records where the message's delivery stands. Changes arrive from workers that may race, so an older state
   * never overwrites a newer one.
   */
  async updateDelivery(id: string, delivery: MessageDelivery): Promise<MessageEntity | null> {
    const [rows]: [MessageEntity[], number] = await this.dataSource.query(
      `UPDATE messages SET delivery = $2 WHERE id = $1 AND (delivery IS NULL OR (delivery->>'updatedAt')::timestamptz <= $3::timestamptz)
       RETURNING ${RETURNING_FULL}`,
      [id, delivery, delivery.updatedAt],
    );
    return rows[0] ?? null;
  }

  private async changeOne(sql: string, params: unknown[], beforeCommit?: BeforeChangeCommit): Promise<MessageEntity | null> {
    if (!beforeCommit) {
      const [rows]: [MessageEntity[], number] = await this.dataSource.query(sql, params);
      return rows[0] ?? null;
    }
    return this.transaction(async (tx) => {
      const [row] = await tx.query<MessageEntity>(sql, params);
      if (row) await beforeCommit(tx, row);
      return row ?? null;
    });
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DeliveryState, TransactionQuery } from '@/core/message-hooks';
import type { DeliveryAction, DeliveryKind, DeliveryPayload, DeliveryPolicy, DeliveryRow } from '@/modules/bridge/models/delivery.model';
import type { ChannelType } from './channel-provider';

const COLUMNS = `id, kind, action, policy, channel_id AS "channelId", external_chat_id AS "externalChatId", message_id AS "messageId",
  contact_id AS "contactId", payload, state, generation, attempts, parts_sent AS "partsSent", external_id AS "externalId",
  error_code AS "errorCode", error_message AS "errorMessage", resends, recipient_user_id AS "recipientUserId", created_at AS "createdAt", updated_at AS "updatedAt", sent_at AS "sentAt"`;

export interface NewDelivery {
  kind: DeliveryKind;
  action: DeliveryAction;
  policy?: DeliveryPolicy;
  channelId: string;
  externalChatId: string;
  messageId: string | null;
  contactId: string | null;
  payload: DeliveryPayload;
}

/** The thread a chat is, with what sending into it needs. */
export interface ThreadTarget {
  channelId: string;
  /** The channel was deleted: its threads stay readable, but nothing can reach the customer any more. */
  channelDeleted: boolean;
  channelType: ChannelType;
  externalChatId: string;
  contactId: string;
}

export interface DeliveryOutcome {
  state: Exclude<DeliveryState, 'queued' | 'sending'>;
  externalId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** The outbox (`deliveries`). Every state change is a compare-and-set on (state, generation), so racing workers cannot both act. */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inside the message's transaction: the thread behind an inbox chat. */
  async threadInTransaction(tx: TransactionQuery, chatId: string): Promise<ThreadTarget | null> {
    const [row] = await tx.query<ThreadTarget>(
      `SELECT t.channel_id AS "channelId", c.deleted_at IS NOT NULL AS "channelDeleted", c.type AS "channelType",
              t.external_chat_id AS "externalChatId", t.contact_id AS "contactId"
       FROM inbox_threads t JOIN channels c ON c.id = t.channel_id WHERE t.chat_id = $1`,
      [chatId],
    );
    return row ?? null;
  }

  async insertInTransaction(tx: TransactionQuery, input: NewDelivery): Promise<DeliveryRow> {
    const [row] = await tx.query<DeliveryRow>(
      `INSERT INTO deliveries (kind, action, policy, channel_id, external_chat_id, message_id, contact_id, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [input.kind, input.action, input.policy ?? 'at-most-once', input.channelId, input.externalChatId, input.messageId, input.contactId, input.payload],
    );
    return row;
  }

  /** The send row of a message, locked for the rest of the transaction. */
  async sendOfMessageInTransaction(tx: TransactionQuery, messageId: string): Promise<DeliveryRow | null> {
    const [row] = await tx.query<DeliveryRow>(
      `SELECT ${COLUMNS} FROM deliveries WHERE message_id = $1 AND kind = 'reply' AND action = 'send' ORDER BY created_at LIMIT 1 FOR UPDATE`,
      [messageId],
    );
    return row ?? null;
  }

  /** A send not taken yet follows an edit of its message (or is dropped with it), instead of a second call. */
  async rewriteQueuedInTransaction(tx: TransactionQuery, id: string, change: { text: string } | { cancel: { code: string; message: string } }): Promise<boolean> {
    const rows =
      'text' in change
        ? await tx.query(
            `UPDATE deliveries SET payload = jsonb_set(payload, '{text}', to_jsonb($2::text)), updated_at = now()
             WHERE id = $1 AND state IN ('queued', 'failed', 'unknown') RETURNING id`,
            [id, change.text],
          )
        : await tx.query(
            `UPDATE deliveries SET state = 'failed', error_code = $2, error_message = $3, updated_at = now()
             WHERE id = $1 AND state = 'queued' RETURNING id`,
            [id, change.cancel.code, change.cancel.message],
          );
    return rows.length > 0;
  }

  async findById(id: string): Promise<DeliveryRow | null> {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM deliveries WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The rows that carry a message to the customer (its alert cards to operators are rows of their own). */
  async findByMessage(messageId: string): Promise<DeliveryRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM deliveries WHERE message_id = $1 AND kind = 'reply' ORDER BY created_at`, [messageId]);
  }

  /** queued → sending for this round only; false when another round or worker has it. */
  async claim(id: string, generation: number): Promise<DeliveryRow | null> {
    const [rows]: [DeliveryRow[], number] = await this.dataSource.query(
      `UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = now()
       WHERE id = $1 AND generation = $2 AND state = 'queued' RETURNING ${COLUMNS}`,
      [id, generation],
    );
    return rows[0] ?? null;
  }

  /** Records that a part went out, so a retry after a later part's failure does not repeat it. */
  async partSent(id: string, generation: number, partsSent: number, externalId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET parts_sent = $3, external_id = coalesce(external_id, $4), updated_at = now()
       WHERE id = $1 AND generation = $2 AND state = 'sending'`,
      [id, generation, partsSent, externalId],
    );
  }

  /** sending → queued: the call was refused before it reached the provider (a limit, a 429, a transient error). */
  async release(id: string, generation: number, error?: { code: string; message: string }): Promise<DeliveryRow | null> {
    const [rows]: [DeliveryRow[], number] = await this.dataSource.query(
      `UPDATE deliveries SET state = 'queued', error_code = $3, error_message = $4, updated_at = now()
       WHERE id = $1 AND generation = $2 AND state = 'sending' RETURNING ${COLUMNS}`,
      [id, generation, error?.code ?? null, error?.message ?? null],
    );
    return rows[0] ?? null;
  }

  /** sending → queued to send again although the last call may have arrived (at-least-once); counted in `resends`. */
  async releaseForResend(id: string, generation: number, error: { code: string; message: string }): Promise<DeliveryRow | null> {
    const [rows]: [DeliveryRow[], number] = await this.dataSource.query(
      `UPDATE deliveries SET state = 'queued', resends = resends + 1, error_code = $3, error_message = $4, updated_at = now()
       WHERE id = $1 AND generation = $2 AND state = 'sending' RETURNING ${COLUMNS}`,
      [id, generation, error.code, error.message],
    );
    return rows[0] ?? null;
  }

  /** A final state, from `from` in this round only. */
  async finish(id: string, generation: number, from: DeliveryState[], outcome: DeliveryOutcome): Promise<DeliveryRow | null> {
    const [rows]: [DeliveryRow[], number] = await this.dataSource.query(
      `UPDATE deliveries SET state = $4::text, external_id = coalesce($5::text, external_id), error_code = $6, error_message = $7, updated_at = now(),
         sent_at = CASE WHEN $4::text = 'sent' THEN now() ELSE sent_at END
       WHERE id = $1 AND generation = $2 AND state = ANY($3::text[]) RETURNING ${COLUMNS}`,
      [id, generation, from, outcome.state, outcome.externalId ?? null, outcome.errorCode ?? null, outcome.errorMessage ?? null],
    );
    return rows[0] ?? null;
  }

  /** failed|unknown → queued as a new round: an operator asked for it on purpose. */
  async restart(id: string): Promise<DeliveryRow | null> {
    const [rows]: [DeliveryRow[], number] = await this.dataSource.query(
      `UPDATE deliveries SET state = 'queued', generation = generation + 1, attempts = 0, error_code = NULL, error_message = NULL, updated_at = now()
       WHERE id = $1 AND state IN ('failed', 'unknown') RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** A queued row whose job is gone gets a new round (the old round's job, if it ever comes back, does nothing). */
  async renew(id: string, generation: number): Promise<DeliveryRow | null> {
    const [rows]: [DeliveryRow[], number] = await this.dataSource.query(
      `UPDATE deliveries SET generation = generation + 1, updated_at = now()
       WHERE id = $1 AND generation = $2 AND state = 'queued' RETURNING ${COLUMNS}`,
      [id, generation],
    );
    return rows[0] ?? null;
  }

  /** Rows still moving that nobody touched for `olderThanSeconds`. */
  async stale(olderThanSeconds: number, limit: number): Promise<DeliveryRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM deliveries WHERE state IN ('queued', 'sending') AND updated_at < now() - make_interval(secs => $1)
       ORDER BY updated_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
  }
}

import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DeliveryState } from '@/core/message-hooks';
import type { DeliveryPolicy } from '@/modules/bridge/models/delivery.model';
import type { NotificationRow } from '@/modules/bridge/models/notification.model';

const COLUMNS = `id, channel_id AS "channelId", external_chat_id AS "externalChatId", policy, state, generation, attempts,
  external_id AS "externalId", error_code AS "errorCode", error_message AS "errorMessage", request_hash AS "requestHash",
  created_at AS "createdAt", created_at::text AS "cursorAt", sent_at AS "sentAt"`;

export interface NewNotification {
  apiKeyId: string;
  idempotencyKey: string;
  request: unknown;
  channelId: string;
  externalChatId: string;
  contactId: string | null;
  policy: DeliveryPolicy;
  text: string;
}

/** Canonical JSON (sorted keys), so the same request in another key order hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHashOf = (request: unknown) => createHash('sha256').update(canonical(request)).digest('hex');

@Injectable()
export class NotificationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The outbox row itself is the record of the request: one INSERT, so the row exists before the 202 and a second
   * request with the same key finds it (a concurrent one waits on the unique index and then finds it).
   */
  async insertOnce(input: NewNotification): Promise<{ row: NotificationRow; created: boolean }> {
    const hash = requestHashOf(input.request);
    const inserted = await this.dataSource.query<NotificationRow[]>(
      `INSERT INTO deliveries (kind, action, policy, channel_id, external_chat_id, contact_id, payload, api_key_id, idempotency_key, request_hash)
       VALUES ('notification', 'send', $1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (api_key_id, idempotency_key) WHERE api_key_id IS NOT NULL DO NOTHING RETURNING ${COLUMNS}`,
      [input.policy, input.channelId, input.externalChatId, input.contactId, { text: input.text, files: [] }, input.apiKeyId, input.idempotencyKey, hash],
    );
    if (inserted[0]) return { row: inserted[0], created: true };
    const [existing] = await this.dataSource.query<NotificationRow[]>(`SELECT ${COLUMNS} FROM deliveries WHERE api_key_id = $1 AND idempotency_key = $2`, [
      input.apiKeyId,
      input.idempotencyKey,
    ]);
    return { row: existing, created: false };
  }

  isSameRequest(row: NotificationRow, request: unknown): boolean {
    return row.requestHash === requestHashOf(request);
  }

  async findForKey(apiKeyId: string, id: string): Promise<NotificationRow | null> {
    const [row] = await this.dataSource.query<NotificationRow[]>(`SELECT ${COLUMNS} FROM deliveries WHERE id = $1 AND api_key_id = $2`, [id, apiKeyId]);
    return row ?? null;
  }

  /** Newest first, keyset-paged on (created_at, id). */
  async list(apiKeyId: string, filter: { state?: DeliveryState; after?: { createdAt: string; id: string }; limit: number }): Promise<NotificationRow[]> {
    const params: unknown[] = [apiKeyId, filter.limit];
    let where = 'api_key_id = $1';
    if (filter.state) {
      params.push(filter.state);
      where += ` AND state = $${params.length}`;
    }
    if (filter.after) {
      params.push(filter.after.createdAt, filter.after.id);
      where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    return this.dataSource.query(`SELECT ${COLUMNS} FROM deliveries WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`, params);
  }

  /** The contact and its thread's chat, for a notification addressed by contact. */
  async contactTarget(channelId: string, contactId: string): Promise<{ contactId: string; externalChatId: string } | null> {
    const [row] = await this.dataSource.query(
      `SELECT c.id AS "contactId", coalesce(t.external_chat_id, c.external_id) AS "externalChatId"
       FROM contacts c LEFT JOIN inbox_threads t ON t.contact_id = c.id AND t.channel_id = c.channel_id
       WHERE c.id = $1 AND c.channel_id = $2 ORDER BY t.last_activity_at DESC NULLS LAST LIMIT 1`,
      [contactId, channelId],
    );
    return row ?? null;
  }
}

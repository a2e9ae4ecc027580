import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ChannelRow, ChannelStatus } from '@/modules/bridge/models/channel.model';
import type { ChannelType } from './channel-provider';

const CHANNEL_COLUMNS = `ch.id, ch.type, ch.name, ch.status, ch.status_reason AS "statusReason", ch.external_account_id AS "externalAccountId",
  ch.credentials_sealed AS "credentialsSealed", ch.webhook_secret_sealed AS "webhookSecretSealed", ch.webhook_secret_hash AS "webhookSecretHash",
  ch.settings, ch.created_by AS "createdBy", ch.created_at AS "createdAt", ch.updated_at AS "updatedAt", ch.deleted_at AS "deletedAt"`;

export interface NewChannel {
  id: string;
  type: ChannelType;
  name: string;
  externalAccountId: string;
  credentialsSealed: string;
  webhookSecretSealed: string;
  webhookSecretHash: string;
  createdBy: string;
  settings?: Record<string, unknown>;
}

/** What the webhook path needs to authenticate a call: nothing else is read before the secret matched. */
export interface WebhookAuth {
  type: ChannelType;
  webhookSecretHash: string;
}

const WEBHOOK_AUTH_TTL_MS = 5000;

@Injectable()
export class ChannelRepository {
  /** The webhook hot path reads a channel's secret hash per request; a few seconds of caching keeps it off the database. */
  private readonly authCache = new Map<string, { value: WebhookAuth | null; at: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  newId(): string {
    return randomUUID();
  }

  async create(input: NewChannel): Promise<ChannelRow> {
    const rows: ChannelRow[] = await this.dataSource.query(
      `INSERT INTO channels AS ch (id, type, name, external_account_id, credentials_sealed, webhook_secret_sealed, webhook_secret_hash, created_by, settings)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${CHANNEL_COLUMNS}`,
      [input.id, input.type, input.name, input.externalAccountId, input.credentialsSealed, input.webhookSecretSealed, input.webhookSecretHash, input.createdBy, JSON.stringify(input.settings ?? {})],
    );
    return rows[0];
  }

  async findById(id: string): Promise<ChannelRow | null> {
    const rows = await this.dataSource.query(`SELECT ${CHANNEL_COLUMNS} FROM channels ch WHERE ch.id = $1 AND ch.deleted_at IS NULL`, [id]);
    return rows[0] ?? null;
  }

  /** Every live channel, or only those `userId` operates when given. */
  list(userId?: string): Promise<ChannelRow[]> {
    return this.dataSource.query(
      `SELECT ${CHANNEL_COLUMNS} FROM channels ch
       WHERE ch.deleted_at IS NULL AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM channel_operators o WHERE o.channel_id = ch.id AND o.user_id = $1))
       ORDER BY ch.created_at, ch.id`,
      [userId ?? null],
    );
  }

  listByType(type: ChannelType): Promise<ChannelRow[]> {
    return this.dataSource.query(`SELECT ${CHANNEL_COLUMNS} FROM channels ch WHERE ch.deleted_at IS NULL AND ch.type = $1 ORDER BY ch.created_at`, [type]);
  }

  /** Every row, deleted ones included, for re-sealing after a key rotation. */
  listAllSealed(): Promise<Array<Pick<ChannelRow, 'id' | 'credentialsSealed' | 'webhookSecretSealed'>>> {
    return this.dataSource.query(
      `SELECT id, credentials_sealed AS "credentialsSealed", webhook_secret_sealed AS "webhookSecretSealed" FROM channels ORDER BY id`,
    );
  }

  /** Replaces the sealed values only if they are still what was read, so a concurrent credential change wins. */
  async reseal(id: string, before: { credentialsSealed: string; webhookSecretSealed: string }, after: { credentialsSealed: string; webhookSecretSealed: string }): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE channels SET credentials_sealed = $4, webhook_secret_sealed = $5
       WHERE id = $1 AND credentials_sealed = $2 AND webhook_secret_sealed = $3`,
      [id, before.credentialsSealed, before.webhookSecretSealed, after.credentialsSealed, after.webhookSecretSealed],
    );
    return count > 0;
  }

  async update(
    id: string,
    changes: Partial<Pick<ChannelRow, 'name' | 'externalAccountId' | 'credentialsSealed' | 'webhookSecretSealed' | 'webhookSecretHash' | 'status' | 'statusReason' | 'settings'>>,
  ): Promise<ChannelRow | null> {
    const columns: Record<string, string> = {
      name: 'name',
      externalAccountId: 'external_account_id',
      credentialsSealed: 'credentials_sealed',
      webhookSecretSealed: 'webhook_secret_sealed',
      webhookSecretHash: 'webhook_secret_hash',
      status: 'status',
      statusReason: 'status_reason',
      settings: 'settings',
    };
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    const sets = entries.map(([k], i) => `${columns[k]} = $${i + 2}`);
    const rows: [ChannelRow[], number] = await this.dataSource.query(
      `UPDATE channels ch SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE ch.id = $1 AND ch.deleted_at IS NULL RETURNING ${CHANNEL_COLUMNS}`,
      [id, ...entries.map(([k, v]) => (k === 'settings' ? JSON.stringify(v) : v))],
    );
    this.authCache.delete(id);
    return rows[0][0] ?? null;
  }

  async setStatus(id: string, status: ChannelStatus, reason: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE channels SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1 AND deleted_at IS NULL`, [id, status, reason]);
  }

  /** Deleted channels keep their rows (threads stay readable) but stop authenticating webhooks. */
  async softDelete(id: string): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE channels SET status = 'deleted', deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
    this.authCache.delete(id);
    return count > 0;
  }

  async webhookAuth(id: string): Promise<WebhookAuth | null> {
    const cached = this.authCache.get(id);
    if (cached && Date.now() - cached.at < WEBHOOK_AUTH_TTL_MS) return cached.value;
    const rows: WebhookAuth[] = await this.dataSource.query(
      `SELECT type, webhook_secret_hash AS "webhookSecretHash" FROM channels WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
    const value = rows[0] ?? null;
    if (this.authCache.size > 10_000) this.authCache.clear();
    this.authCache.set(id, { value, at: Date.now() });
    return value;
  }

  async operatorIds(channelId: string): Promise<string[]> {
    const rows: Array<{ userId: string }> = await this.dataSource.query(
      `SELECT user_id AS "userId" FROM channel_operators WHERE channel_id = $1 ORDER BY created_at, user_id`,
      [channelId],
    );
    return rows.map((r) => r.userId);
  }

  async operatorIdsOf(channelIds: string[]): Promise<Map<string, string[]>> {
    const rows: Array<{ channelId: string; userId: string }> = await this.dataSource.query(
      `SELECT channel_id AS "channelId", user_id AS "userId" FROM channel_operators WHERE channel_id = ANY($1::uuid[]) ORDER BY created_at, user_id`,
      [channelIds],
    );
    const map = new Map<string, string[]>(channelIds.map((id) => [id, []]));
    for (const r of rows) map.get(r.channelId)?.push(r.userId);
    return map;
  }

  /** Replaces the operator list; returns who was added and who removed. */
  async setOperators(channelId: string, userIds: string[]): Promise<{ added: string[]; removed: string[] }> {
    return this.dataSource.transaction(async (tx) => {
      // Serialises concurrent replacements of one channel's list.
      await tx.query('SELECT 1 FROM channels WHERE id = $1 FOR UPDATE', [channelId]);
      const [removed]: [Array<{ userId: string }>, number] = await tx.query(
        `DELETE FROM channel_operators WHERE channel_id = $1 AND NOT (user_id = ANY($2::uuid[])) RETURNING user_id AS "userId"`,
        [channelId, userIds],
      );
      const added: Array<{ userId: string }> = await tx.query(
        `INSERT INTO channel_operators (channel_id, user_id) SELECT $1, u FROM unnest($2::uuid[]) AS u
         ON CONFLICT DO NOTHING RETURNING user_id AS "userId"`,
        [channelId, userIds],
      );
      return { added: added.map((r) => r.userId), removed: removed.map((r) => r.userId) };
    });
  }
}

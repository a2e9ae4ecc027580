import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { InboundEventRow, InboundResult } from '@/modules/bridge/models/inbound-event.model';

const EVENT_COLUMNS = `id::text AS id, channel_id AS "channelId", external_id AS "externalId", payload, headers, source, received_at AS "receivedAt",
  processed_at AS "processedAt", result, error`;

@Injectable()
export class InboundEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores an event once per (channel, external id). A replay returns the stored row's id and result with
   * `created: false`, so the caller can re-queue an event whose first job never got queued.
   */
  async store(event: {
    channelId: string;
    externalId: string;
    payload: unknown;
    headers: Record<string, string>;
    source: 'webhook' | 'poll';
  }): Promise<{ id: string; created: boolean; result: InboundResult }> {
    const rows: Array<{ id: string; created: boolean; result: InboundResult }> = await this.dataSource.query(
      `WITH ins AS (
         INSERT INTO inbound_events (channel_id, external_id, payload, headers, source) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id, result
       )
       SELECT id::text AS id, true AS created, result FROM ins
       UNION ALL
       SELECT id::text, false, result FROM inbound_events WHERE channel_id = $1 AND external_id = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
      [event.channelId, event.externalId, JSON.stringify(event.payload), JSON.stringify(event.headers), event.source],
    );
    if (rows[0]) return rows[0];
    // The concurrent twin committed between our insert attempt and our read (the CTE sees the old snapshot).
    const again: Array<{ id: string; result: InboundResult }> = await this.dataSource.query(
      `SELECT id::text AS id, result FROM inbound_events WHERE channel_id = $1 AND external_id = $2`,
      [event.channelId, event.externalId],
    );
    return { id: again[0].id, created: false, result: again[0].result };
  }

  async findById(id: string): Promise<InboundEventRow | null> {
    const rows = await this.dataSource.query(`SELECT ${EVENT_COLUMNS} FROM inbound_events WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async exists(channelId: string, externalId: string): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM inbound_events WHERE channel_id = $1 AND external_id = $2`, [channelId, externalId]);
    return rows.length > 0;
  }

  async markResult(id: string, result: InboundResult, error: string | null = null): Promise<void> {
    await this.dataSource.query(`UPDATE inbound_events SET result = $2, error = $3, processed_at = now() WHERE id = $1`, [id, result, error]);
  }

  /** Events still pending a while after they arrived: their job was lost (a crash between the insert and the enqueue). */
  async stalePending(olderThanSeconds: number, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id::text AS id FROM inbound_events WHERE result = 'pending' AND received_at < now() - make_interval(secs => $1) ORDER BY received_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => r.id);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface StatsFilter {
  from: Date;
  to: Date;
  /** Channels the caller may see; null for every channel. */
  channelIds: string[] | null;
  channelId?: string;
  operatorId?: string;
}

/** One group of figures; times in seconds, null when nothing was measured. */
export interface StatsFigures {
  opened: number;
  resolved: number;
  reopened: number;
  firstResponseMedianSeconds: number | null;
  firstResponseP90Seconds: number | null;
  resolutionMedianSeconds: number | null;
  messagesIn: number;
  messagesOut: number;
  failedDeliveries: number;
}

export interface StatsRow extends StatsFigures {
  /** channel id, operator id or day (YYYY-MM-DD, UTC), by grouping. */
  key: string | null;
}

type Grouping = 'channel' | 'operator' | 'day' | 'total';

/**
 * Inbox statistics, computed in SQL from the status-change log and the messages. Each figure comes from one CTE so
 * the same definitions hold for every grouping:
 * - opened / resolved / reopened: log rows in the period (a new thread; a move to resolved; resolved → open);
 * - first response: per thread whose first customer message falls in the period, the first operator reply after it;
 * - resolution: per resolution in the period, the time since the thread last became open;
 * - messages in/out and failed deliveries: messages of threads in the period (notes are not messages out).
 * The operator of a status change is the thread's assignee at that moment; of a message, its sender.
 */
@Injectable()
export class InboxStatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async figures(filter: StatsFilter, grouping: Grouping): Promise<StatsRow[]> {
    const key = (channel: string, operator: string, at: string) =>
      grouping === 'channel' ? `${channel}::text` : grouping === 'operator' ? `${operator}::text` : grouping === 'day' ? `to_char(${at} AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : `NULL::text`;
    const threadScope = `($3::uuid[] IS NULL OR t.channel_id = ANY($3::uuid[])) AND ($4::uuid IS NULL OR t.channel_id = $4)`;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `WITH
       log AS (
         SELECT ${key('l.channel_id', 'l.assignee_id', 'l.at')} AS k, l.from_status, l.to_status
         FROM thread_status_log l JOIN inbox_threads t ON t.chat_id = l.chat_id
         WHERE l.at >= $1 AND l.at < $2 AND ${threadScope} AND ($5::uuid IS NULL OR l.assignee_id = $5)
       ),
       status_figures AS (
         SELECT k,
           count(*) FILTER (WHERE from_status IS NULL)::int AS opened,
           count(*) FILTER (WHERE to_status = 'resolved')::int AS resolved,
           count(*) FILTER (WHERE to_status = 'open' AND from_status = 'resolved')::int AS reopened
         FROM log GROUP BY k
       ),
       resolution AS (
         SELECT ${key('l.channel_id', 'l.assignee_id', 'l.at')} AS k, extract(epoch FROM l.at - o.at) AS seconds
         FROM thread_status_log l JOIN inbox_threads t ON t.chat_id = l.chat_id
         CROSS JOIN LATERAL (
           SELECT max(p.at) AS at FROM thread_status_log p
           WHERE p.chat_id = l.chat_id AND p.to_status = 'open' AND p.id < l.id
         ) o
         WHERE l.to_status = 'resolved' AND l.at >= $1 AND l.at < $2 AND o.at IS NOT NULL AND ${threadScope}
           AND ($5::uuid IS NULL OR l.assignee_id = $5)
       ),
       resolution_figures AS (
         SELECT k, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS resolution_median FROM resolution GROUP BY k
       ),
       first_in AS (
         SELECT t.chat_id, t.channel_id, fi.at
         FROM inbox_threads t
         CROSS JOIN LATERAL (
           SELECT min(m.created_at) AS at FROM messages m WHERE m.chat_id = t.chat_id AND m.sender_contact_id IS NOT NULL
         ) fi
         WHERE fi.at >= $1 AND fi.at < $2 AND ${threadScope}
       ),
       first_response AS (
         SELECT ${key('f.channel_id', 'r.sender_id', 'f.at')} AS k, extract(epoch FROM r.created_at - f.at) AS seconds
         FROM first_in f
         CROSS JOIN LATERAL (
           SELECT m.sender_id, m.created_at FROM messages m
           WHERE m.chat_id = f.chat_id AND m.sender_id IS NOT NULL AND NOT m.internal AND m.created_at >= f.at
           ORDER BY m.created_at, m.seq LIMIT 1
         ) r
         WHERE ($5::uuid IS NULL OR r.sender_id = $5)
       ),
       first_response_figures AS (
         SELECT k,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS first_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS first_p90
         FROM first_response GROUP BY k
       ),
       message_figures AS (
         SELECT ${key('t.channel_id', 'm.sender_id', 'm.created_at')} AS k,
           count(*) FILTER (WHERE m.sender_contact_id IS NOT NULL)::int AS messages_in,
           count(*) FILTER (WHERE m.sender_contact_id IS NULL AND NOT m.internal)::int AS messages_out,
           count(*) FILTER (WHERE m.delivery->>'state' IN ('failed', 'blocked'))::int AS failed
         FROM messages m JOIN inbox_threads t ON t.chat_id = m.chat_id
         WHERE m.created_at >= $1 AND m.created_at < $2 AND m.deleted_at IS NULL AND ${threadScope}
           AND ($5::uuid IS NULL OR m.sender_id = $5)
         GROUP BY 1
       ),
       keys AS (
         SELECT k FROM status_figures UNION SELECT k FROM resolution_figures UNION SELECT k FROM first_response_figures UNION SELECT k FROM message_figures
       )
       SELECT keys.k AS key,
         coalesce(s.opened, 0) AS opened, coalesce(s.resolved, 0) AS resolved, coalesce(s.reopened, 0) AS reopened,
         fr.first_median AS "firstResponseMedianSeconds", fr.first_p90 AS "firstResponseP90Seconds",
         r.resolution_median AS "resolutionMedianSeconds",
         coalesce(mf.messages_in, 0) AS "messagesIn", coalesce(mf.messages_out, 0) AS "messagesOut", coalesce(mf.failed, 0) AS "failedDeliveries"
       FROM keys
       LEFT JOIN status_figures s ON s.k IS NOT DISTINCT FROM keys.k
       LEFT JOIN resolution_figures r ON r.k IS NOT DISTINCT FROM keys.k
       LEFT JOIN first_response_figures fr ON fr.k IS NOT DISTINCT FROM keys.k
       LEFT JOIN message_figures mf ON mf.k IS NOT DISTINCT FROM keys.k
       ORDER BY keys.k NULLS FIRST`,
      [filter.from, filter.to, filter.channelIds, filter.channelId ?? null, filter.operatorId ?? null],
    );
    const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
    return rows.map((r) => ({
      key: (r.key as string | null) ?? null,
      opened: Number(r.opened),
      resolved: Number(r.resolved),
      reopened: Number(r.reopened),
      firstResponseMedianSeconds: num(r.firstResponseMedianSeconds),
      firstResponseP90Seconds: num(r.firstResponseP90Seconds),
      resolutionMedianSeconds: num(r.resolutionMedianSeconds),
      messagesIn: Number(r.messagesIn),
      messagesOut: Number(r.messagesOut),
      failedDeliveries: Number(r.failedDeliveries),
    }));
  }
}

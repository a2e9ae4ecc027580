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

export type Grouping = 'channel' | 'operator' | 'day' | 'total';

export interface GroupedStatsRow extends StatsRow {
  grouping: Grouping;
}

/**
 * Inbox statistics in one statement over facts kept at write time (see the InboxStatsFacts migration); every
 * grouping comes from the same rows through GROUPING SETS, so the definitions cannot drift between them:
 * - opened / resolved / reopened: status-log rows in the period (a new thread; a move to resolved; resolved → open);
 * - first response: threads whose customer first wrote in the period, until the first operator reply after that;
 * - resolution: resolutions in the period, since the thread last became open;
 * - messages in/out and failed deliveries: messages of bridged threads in the period (notes are not messages out).
 * The operator of a status change is the thread's assignee at that moment; of a message, its sender; of a first
 * response, who gave it.
 */
@Injectable()
export class InboxStatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async figures(filter: StatsFilter): Promise<GroupedStatsRow[]> {
    const scope = (channel: string) => `($3::uuid[] IS NULL OR ${channel} = ANY($3::uuid[])) AND ($4::uuid IS NULL OR ${channel} = $4)`;
    // GROUPING(channel_id, operator, day) has a bit set for each column left out of the set.
    const sets = `GROUP BY GROUPING SETS ((channel_id), (operator), (day), ())`;
    const key = `CASE GROUPING(channel_id, operator, day) WHEN 3 THEN 'channel' WHEN 5 THEN 'operator' WHEN 6 THEN 'day' ELSE 'total' END AS grouping,
      CASE GROUPING(channel_id, operator, day) WHEN 3 THEN channel_id::text WHEN 5 THEN operator::text WHEN 6 THEN to_char(day, 'YYYY-MM-DD') END AS key`;
    const day = (at: string) => `(${at} AT TIME ZONE 'UTC')::date`;
    // JIT compiling this statement costs more (~250 ms at 100,000 threads) than it saves on a few hundred thousand rows.
    const rows: Array<Record<string, unknown>> = await this.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL jit = off`);
      return tx.query(
      `WITH
       log AS (
         SELECT ${key},
           count(*) FILTER (WHERE from_status IS NULL)::int AS opened,
           count(*) FILTER (WHERE to_status = 'resolved')::int AS resolved,
           count(*) FILTER (WHERE to_status = 'open' AND from_status = 'resolved')::int AS reopened,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution) FILTER (WHERE resolution IS NOT NULL) AS resolution_median
         FROM (
           SELECT l.channel_id, l.assignee_id AS operator, ${day('l.at')} AS day, l.from_status, l.to_status,
             CASE WHEN l.to_status = 'resolved' THEN extract(epoch FROM l.at - l.open_since) END AS resolution
           FROM thread_status_log l
           WHERE l.at >= $1 AND l.at < $2 AND ${scope('l.channel_id')} AND ($5::uuid IS NULL OR l.assignee_id = $5)
         ) x ${sets}
       ),
       first_response AS (
         SELECT ${key},
           percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS first_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS first_p90
         FROM (
           SELECT t.channel_id, t.first_responder_id AS operator, ${day('t.first_customer_at')} AS day,
             extract(epoch FROM t.first_response_at - t.first_customer_at) AS seconds
           FROM inbox_threads t
           WHERE t.first_customer_at >= $1 AND t.first_customer_at < $2 AND t.first_response_at IS NOT NULL
             AND ${scope('t.channel_id')} AND ($5::uuid IS NULL OR t.first_responder_id = $5)
         ) x ${sets}
       ),
       traffic AS (
         SELECT ${key},
           count(*) FILTER (WHERE incoming)::int AS messages_in,
           count(*) FILTER (WHERE NOT incoming AND NOT internal)::int AS messages_out,
           count(*) FILTER (WHERE state IN ('failed', 'blocked'))::int AS failed
         FROM (
           SELECT t.channel_id, m.sender_id AS operator, ${day('m.created_at')} AS day,
             m.sender_contact_id IS NOT NULL AS incoming, m.internal, m.delivery->>'state' AS state
           FROM messages m JOIN inbox_threads t ON t.chat_id = m.chat_id
           WHERE (m.sender_contact_id IS NOT NULL OR m.delivery IS NOT NULL OR m.external_id IS NOT NULL)
             AND m.created_at >= $1 AND m.created_at < $2 AND m.deleted_at IS NULL
             AND ${scope('t.channel_id')} AND ($5::uuid IS NULL OR m.sender_id = $5)
         ) x ${sets}
       )
       SELECT grouping, key,
         coalesce(sum(opened), 0)::int AS opened, coalesce(sum(resolved), 0)::int AS resolved, coalesce(sum(reopened), 0)::int AS reopened,
         max(first_median) AS "firstResponseMedianSeconds", max(first_p90) AS "firstResponseP90Seconds",
         max(resolution_median) AS "resolutionMedianSeconds",
         coalesce(sum(messages_in), 0)::int AS "messagesIn", coalesce(sum(messages_out), 0)::int AS "messagesOut",
         coalesce(sum(failed), 0)::int AS "failedDeliveries"
       FROM (
         SELECT grouping, key, opened, resolved, reopened, resolution_median, NULL::float8 AS first_median, NULL::float8 AS first_p90,
           NULL::int AS messages_in, NULL::int AS messages_out, NULL::int AS failed FROM log
         UNION ALL SELECT grouping, key, NULL, NULL, NULL, NULL, first_median, first_p90, NULL, NULL, NULL FROM first_response
         UNION ALL SELECT grouping, key, NULL, NULL, NULL, NULL, NULL, NULL, messages_in, messages_out, failed FROM traffic
       ) u
       GROUP BY grouping, key
       ORDER BY grouping, key NULLS FIRST`,
      [filter.from, filter.to, filter.channelIds, filter.channelId ?? null, filter.operatorId ?? null],
      );
    });
    const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
    return rows.map((r) => ({
      grouping: r.grouping as Grouping,
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

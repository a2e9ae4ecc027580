export const INBOUND_RESULTS = ['pending', 'processed', 'ignored', 'failed'] as const;
export type InboundResult = (typeof INBOUND_RESULTS)[number];

/** A webhook body (or a polled message) exactly as received, stored before the 200 (table `inbound_events`). */
export interface InboundEventRow {
  id: string;
  channelId: string;
  /** Telegram `update_id` or Avito's message id: unique per channel, which is what makes replays harmless. */
  externalId: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  source: 'webhook' | 'poll';
  receivedAt: Date;
  processedAt: Date | null;
  result: InboundResult;
  error: string | null;
}

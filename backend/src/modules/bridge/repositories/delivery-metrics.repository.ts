import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRepository } from '@/repositories/metrics.repository';

/** The outbound series, on the application's registry (so /metrics shows them beside the rest). */
@Injectable()
export class DeliveryMetricsRepository {
  readonly deliveries: Counter<'provider' | 'kind' | 'state'>;
  readonly duration: Histogram<'provider' | 'kind' | 'state'>;
  readonly rateLimited: Counter<'provider'>;
  readonly unknown: Counter<'provider' | 'kind'>;
  readonly possibleDuplicates: Counter<'provider' | 'kind'>;
  readonly inbound: Counter<'provider' | 'result'>;

  constructor(metrics: MetricsRepository) {
    this.deliveries = new Counter({
      name: 'bridge_deliveries_total',
      help: 'Deliveries that reached a final state, by provider, kind (reply, card, notification) and state',
      labelNames: ['provider', 'kind', 'state'] as const,
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'bridge_delivery_seconds',
      help: 'From the outbox row to its final state, limits and retries included',
      labelNames: ['provider', 'kind', 'state'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers: [metrics.registry],
    });
    this.rateLimited = new Counter({
      name: 'bridge_rate_limited_total',
      help: 'Provider answers of 429 (the bot or account is paused for retry_after)',
      labelNames: ['provider'] as const,
      registers: [metrics.registry],
    });
    this.unknown = new Counter({
      name: 'bridge_unknown_deliveries_total',
      help: 'Sends whose request was written but whose answer never came: possibly delivered, never resent silently',
      labelNames: ['provider', 'kind'] as const,
      registers: [metrics.registry],
    });
    this.inbound = new Counter({
      name: 'bridge_inbound_events_total',
      help: 'Stored provider events once processed, by provider and result (processed, ignored, failed)',
      labelNames: ['provider', 'result'] as const,
      registers: [metrics.registry],
    });
    this.possibleDuplicates = new Counter({
      name: 'bridge_possible_duplicates_total',
      help: 'At-least-once sends made again after an unknown outcome: each may have reached the customer twice',
      labelNames: ['provider', 'kind'] as const,
      registers: [metrics.registry],
    });
  }
}

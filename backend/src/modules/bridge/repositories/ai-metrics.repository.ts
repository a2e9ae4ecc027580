import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRepository } from '@/repositories/metrics.repository';

/** The AI agent's series, on the application's registry. */
@Injectable()
export class AiMetricsRepository {
  readonly replies: Counter<'result'>;
  readonly replySeconds: Histogram<'result'>;
  readonly handoffs: Counter<'reason'>;

  constructor(metrics: MetricsRepository) {
    this.replies = new Counter({
      name: 'ai_replies_total',
      help: 'AI agent runs by result: sent, draft, handoff, fallback, dropped (a person took over meanwhile), skipped',
      labelNames: ['result'] as const,
      registers: [metrics.registry],
    });
    this.replySeconds = new Histogram({
      name: 'ai_reply_seconds',
      help: "From the customer's message to the agent's answer (or fallback) being posted",
      labelNames: ['result'] as const,
      buckets: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 10, 30],
      registers: [metrics.registry],
    });
    this.handoffs = new Counter({
      name: 'ai_handoffs_total',
      help: 'Threads handed from the AI agent to people, by reason',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
  }
}

import { Injectable } from '@nestjs/common';
import { DatabaseRepository } from '@/repositories/database.repository';
import { MessageRepository } from '@/repositories/message.repository';
import { MetricsRepository } from '@/repositories/metrics.repository';
import { RedisRepository } from '@/repositories/redis.repository';
import type { HealthResponseDto } from '@/schemas/health.dto';

/**
 * How old the oldest uncommitted send may get, with a backlog of the pool's saturation size, before new sends are
 * refused: a stall of the machine or of a WAL flush is ridden out (group commit writes the burst in a few batches);
 * a database that stays behind is not, and its senders are told to come back instead of waiting on.
 */
export const SEND_BACKLOG_MAX_MS = 1_000;

@Injectable()
export class HealthService {
  constructor(
    private readonly database: DatabaseRepository,
    private readonly redis: RedisRepository,
    private readonly metrics: MetricsRepository,
    private readonly messages: MessageRepository,
  ) {}

  async check(): Promise<HealthResponseDto> {
    const [db, redis] = await Promise.all([this.database.ping(), this.redis.ping()]);
    return {
      status: db && redis ? 'ok' : 'degraded',
      postgres: db ? 'up' : 'down',
      redis: redis ? 'up' : 'down',
    };
  }

  /**
   * The database has a long queue (queries waiting for a connection, or a backlog of sends waiting for their group
   * commit that has been there over SEND_BACKLOG_MAX_MS): new work is better refused as retryable than queued behind it.
   */
  databaseSaturated(): boolean {
    if (this.database.saturated()) return true;
    return this.messages.pendingSends() >= this.database.saturationThreshold() && this.messages.backlogMs() >= SEND_BACKLOG_MAX_MS;
  }

  metricsText(): Promise<{ contentType: string; body: string }> {
    return this.metrics.render().then((body) => ({ contentType: this.metrics.contentType, body }));
  }

  /** Counted by the transport that took the message, so the service needs no label for it. */
  countMessageCreated(transport: 'http' | 'ws' | 'bridge'): void {
    this.metrics.messagesCreated.inc({ transport });
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.metrics.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }
}

import { Injectable } from '@nestjs/common';
import { DatabaseRepository } from '@/repositories/database.repository';
import { MessageRepository } from '@/repositories/message.repository';
import { MetricsRepository } from '@/repositories/metrics.repository';
import { RedisRepository } from '@/repositories/redis.repository';
import type { HealthResponseDto } from '@/schemas/health.dto';

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
   * The database has a long queue (queries waiting for a connection, or sends waiting for their group commit): new
   * work is better refused as retryable than queued behind it.
   */
  databaseSaturated(): boolean {
    return this.database.saturated() || this.messages.pendingSends() >= this.database.saturationThreshold();
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

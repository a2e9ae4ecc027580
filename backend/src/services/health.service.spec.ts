import { describe, expect, it } from 'vitest';
import type { DatabaseRepository } from '@/repositories/database.repository';
import type { MessageRepository } from '@/repositories/message.repository';
import type { MetricsRepository } from '@/repositories/metrics.repository';
import type { RedisRepository } from '@/repositories/redis.repository';
import { HealthService, SEND_BACKLOG_MAX_MS } from './health.service';

function setup(state: { poolSaturated?: boolean; pendingSends: number; backlogMs: number }) {
  const database = { saturated: () => state.poolSaturated ?? false, saturationThreshold: () => 200 };
  const messages = { pendingSends: () => state.pendingSends, backlogMs: () => state.backlogMs };
  return new HealthService(
    database as unknown as DatabaseRepository,
    {} as RedisRepository,
    {} as MetricsRepository,
    messages as unknown as MessageRepository,
  );
}

describe('HealthService.databaseSaturated', () => {
  it('is saturated while the pool has its threshold of queries waiting, whatever the sends do', () => {
    expect(setup({ poolSaturated: true, pendingSends: 0, backlogMs: 0 }).databaseSaturated()).toBe(true);
  });

  it('rides out a burst of sends younger than SEND_BACKLOG_MAX_MS, however many', () => {
    expect(setup({ pendingSends: 5_000, backlogMs: SEND_BACKLOG_MAX_MS - 1 }).databaseSaturated()).toBe(false);
  });

  it('does not refuse everyone for a few old sends (one chat waiting on a lock)', () => {
    expect(setup({ pendingSends: 199, backlogMs: 60_000 }).databaseSaturated()).toBe(false);
  });

  it('is saturated once a backlog of the threshold size has waited SEND_BACKLOG_MAX_MS', () => {
    expect(setup({ pendingSends: 200, backlogMs: SEND_BACKLOG_MAX_MS }).databaseSaturated()).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEASE_FRACTION, LeasedLimiter } from '@/core/leased-limiter';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { startApp, type TestApp } from '../helpers/app';

describe('the send limit counted per instance, leased from Redis', () => {
  let app: TestApp;
  let repo: RateLimitRepository;

  beforeAll(async () => {
    app = await startApp({ REDIS_PREFIX: `lease${randomBytes(4).toString('hex')}` });
    repo = app.app.get(RateLimitRepository);
  });
  afterAll(() => app.close());

  /** Two limiters on one Redis counter are what two instances of the app are. */
  const twoInstances = (limit: number) => {
    let roundTrips = 0;
    const reserve = (key: string, units: number) => {
      roundTrips++;
      return repo.reserve('send', key, 60, units);
    };
    return { instances: [new LeasedLimiter(limit, reserve), new LeasedLimiter(limit, reserve)], roundTrips: () => roundTrips };
  };

  it('two instances never admit more than the limit together, and at most one lease less', async () => {
    const limit = 1000;
    const key = `u${randomBytes(4).toString('hex')}`;
    const { instances, roundTrips } = twoInstances(limit);
    let seed = 7;
    const pick = () => (seed = (seed * 16807) % 2147483647) % 2;
    let admitted = 0;
    // Bursts of concurrent sends landing on either instance at random, 3× the limit in all.
    for (let burst = 0; burst < 60; burst++) {
      const decisions = await Promise.all(Array.from({ length: 50 }, () => instances[pick()].take(key)));
      admitted += decisions.filter((d) => d.ok).length;
    }
    const lease = Math.floor(limit * LEASE_FRACTION);
    expect(admitted).toBeLessThanOrEqual(limit);
    // Undershoot: what the other instance reserved and did not spend, under one lease.
    expect(admitted).toBeGreaterThanOrEqual(limit - (lease - 1));
    // Redis saw a reservation per lease (plus the two that found the window full), not one per send.
    expect(roundTrips()).toBeLessThanOrEqual(Math.ceil(limit / lease) + 2);
  });

  it('is exact with a small limit, alternating instances', async () => {
    const key = `u${randomBytes(4).toString('hex')}`;
    const { instances } = twoInstances(6);
    const decisions = [];
    for (let i = 0; i < 10; i++) decisions.push(await instances[i % 2].take(key));
    expect(decisions.map((d) => d.ok)).toEqual([true, true, true, true, true, true, false, false, false, false]);
    expect(decisions[9]).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });
});

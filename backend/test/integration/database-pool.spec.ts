import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf } from '@/repositories/prepared';
import { startApp, type TestApp } from '../helpers/app';

/** Opens `n` pool connections at once (each query holds one for a moment) and lets them all go back. */
async function openConnections(dataSource: DataSource, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => dataSource.query('SELECT pg_sleep(0.05)')));
}

describe('database pool: idle connections', () => {
  let kept: TestApp;
  let closing: TestApp;

  beforeAll(async () => {
    [kept, closing] = await Promise.all([startApp(), startApp({ DATABASE_POOL_IDLE_TIMEOUT_MS: '200' })]);
  });
  afterAll(async () => {
    await Promise.all([kept?.close(), closing?.close()]);
  });

  it('keeps the connections a burst opened (default: ten minutes), so the next burst finds them ready', async () => {
    const source = kept.app.get(DataSource);
    const pool = poolOf(source);
    expect(pool.options.idleTimeoutMillis).toBe(600_000);
    await openConnections(source, 4);
    const opened = pool.totalCount;
    expect(opened).toBeGreaterThanOrEqual(4);
    // Past pg's own default of 10 s nothing would be left; well past DATABASE_POOL_IDLE_TIMEOUT_MS=200 below, all is.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(pool.totalCount).toBe(opened);
  });

  it('closes them after DATABASE_POOL_IDLE_TIMEOUT_MS when one is set', async () => {
    const source = closing.app.get(DataSource);
    const pool = poolOf(source);
    await openConnections(source, 4);
    expect(pool.totalCount).toBeGreaterThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(pool.totalCount).toBeLessThan(4);
  });
});

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, parseEnv } from '@/core/config';
import { freePort, resolveServices, type ResolvedServices } from '@/core/embedded';

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

async function pings(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// The local-port probe is pointed at ports this test owns, so the shared Redis on 6379 is never involved.
describe.skipIf(!hasRedisServer)('embedded service fallback (redis-server on the PATH)', () => {
  let dataDir: string;
  const started: ResolvedServices[] = [];
  const logs: string[] = [];
  const log = (msg: string) => logs.push(msg);
  const env = (extra: Record<string, string> = {}) => parseEnv({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), ...extra });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'msg-embedded-'));
  });
  afterAll(async () => {
    for (const s of started) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses REDIS_URL and DATABASE_URL as given and starts nothing', async () => {
    const services = await resolveServices(env({ REDIS_URL: 'redis://10.9.9.9:6390' }), log, await freePort());
    started.push(services);
    expect(services).toMatchObject({ redisUrl: 'redis://10.9.9.9:6390', databaseUrl: inject('databaseUrl'), embeddedDatabase: false });
    expect(existsSync(join(dataDir, 'redis'))).toBe(false);
  });

  it('uses a Redis that answers on the local port', async () => {
    const port = await freePort();
    const local: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    try {
      expect(await eventually(() => pings(`redis://127.0.0.1:${port}`))).toBe(true);
      const services = await resolveServices(env(), log, port);
      started.push(services);
      expect(services.redisUrl).toBe(`redis://127.0.0.1:${port}`);
    } finally {
      local.kill('SIGTERM');
    }
  });

  it('starts redis-server on a free port with data under DATA_DIR when nothing answers, and stops it', async () => {
    const closedPort = await freePort();
    const services = await resolveServices(env(), log, closedPort);
    expect(services.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(services.redisUrl).not.toBe(`redis://127.0.0.1:${closedPort}`);
    expect(await pings(services.redisUrl)).toBe(true);
    expect(existsSync(join(dataDir, 'redis'))).toBe(true);
    expect(logs.some((l) => l.includes('embedded redis-server'))).toBe(true);

    await services.stop();
    expect(await eventually(async () => !(await pings(services.redisUrl)))).toBe(true);
  });

  it('exits with one line naming the fix when there is no Redis and no redis-server', async () => {
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'msg-empty-path-'));
    try {
      const failure = await resolveServices(env(), log, await freePort()).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ConfigError);
      const message = (failure as ConfigError).message;
      expect(message).not.toContain('\n');
      expect(message).toContain('REDIS_URL');
      expect(message).toContain('redis-server');
    } finally {
      process.env.PATH = path;
    }
  });
});

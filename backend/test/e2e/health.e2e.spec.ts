import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/core/embedded';
import { anonymous, registerUser, sdk } from '../helpers/api';
import { metricsAuth, startApp, type TestApp } from '../helpers/app';

describe('health and metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('GET /health → 200 with PostgreSQL and Redis up, never cached', async () => {
    const res = await sdk.getHealth({ client: anonymous(t.url) });
    expect(res.response.status).toBe(200);
    expect(res.data).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
    expect(res.response.headers.get('cache-control')).toBe('no-store');
  });

  it('GET /metrics → Prometheus text with request latency by route, messages created and the DB pool', async () => {
    const alice = await registerUser(t.url);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'm', memberIds: [] }, throwOnError: true })).data.id;
    await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'm1', body: 'counted' }, throwOnError: true });

    const res = await anonymous(t.url).get({ url: '/metrics', parseAs: 'text', headers: metricsAuth });
    expect(res.response.status).toBe(200);
    expect(res.response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = res.data as string;
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/chats\/:chatId\/messages",status="201"\} 1/);
    expect(text).toMatch(/^messages_created_total\{transport="http"\} [1-9]/m);
    expect(text).toMatch(/^db_pool_connections\{state="total"\} \d+/m);
    expect(text).toMatch(/^db_pool_connections\{state="idle"\} \d+/m);
    expect(text).toMatch(/^db_pool_connections\{state="waiting"\} \d+/m);
  });

  it('labels unknown paths as one route, so scanners cannot blow up the label set', async () => {
    await anonymous(t.url).get({ url: '/no/such/path/12345' });
    const text = (await anonymous(t.url).get({ url: '/metrics', parseAs: 'text', headers: metricsAuth })).data as string;
    expect(text).not.toContain('/no/such/path/12345');
  });
});

async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((done) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

describe('start-up with Redis unreachable', () => {
  it('settles quickly, never hangs: either serves /health as 503 or refuses to start', async () => {
    const began = Date.now();
    const outcome = await startApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }).then(
      (app) => ({ app }),
      (error: unknown) => ({ error }),
    );
    expect(Date.now() - began).toBeLessThan(20_000);
    if ('app' in outcome) {
      const res = await sdk.getHealth({ client: anonymous(outcome.app.url) });
      expect(res.response.status).toBe(503);
      await outcome.app.close();
    } else {
      expect(outcome.error).toBeInstanceOf(Error);
    }
  }, 30_000);
});

describe.skipIf(!hasRedisServer)('Redis going down while the app runs', () => {
  let t: TestApp;
  let redis: ChildProcess;
  let registeredBeforeOutage: Promise<{ user: Awaited<ReturnType<typeof registerUser>>; chatId: string }>;

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedisServer(port);
    // API role only: this is about HTTP answers, and a job worker whose Redis vanished busy-loops (see the note in ARCHITECTURE.md).
    t = await startApp({ REDIS_URL: `redis://127.0.0.1:${port}`, ROLE: 'api' });
    expect((await sdk.getHealth({ client: anonymous(t.url) })).response.status).toBe(200);
    const user = await registerUser(t.url);
    const chatId = (await sdk.createChat({ client: user.client, body: { type: 'group', title: 'outage', memberIds: [] }, throwOnError: true })).data.id;
    registeredBeforeOutage = Promise.resolve({ user, chatId });
    const exited = new Promise((done) => redis.once('exit', done));
    redis.kill('SIGKILL');
    await exited;
  }, 30_000);
  afterAll(async () => {
    redis?.kill('SIGKILL');
    const began = Date.now();
    await t?.close();
    // Shutting down must not wait on a Redis that will never answer.
    expect(Date.now() - began).toBeLessThan(10_000);
  }, 30_000);

  it('GET /health → 503 naming Redis as down and PostgreSQL as up', async () => {
    const res = await sdk.getHealth({ client: anonymous(t.url) });
    expect(res.response.status).toBe(503);
    expect(res.error).toEqual({ status: 'degraded', postgres: 'up', redis: 'down' });
  });

  it('a request that needs Redis fails as a retryable 503 with no internals', async () => {
    const res = await sdk.register({
      client: anonymous(t.url),
      body: { email: 'no-redis@example.test', username: 'noredis', password: 'long-enough-1' },
      headers: { 'X-Request-Id': 'trace-me-123' },
    });
    expect(res.response.status).toBe(503);
    expect(res.error).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(res.response.headers.get('retry-after')).toBe('1');
    expect(res.response.headers.get('x-request-id')).toBe('trace-me-123');
    expect(JSON.stringify(res.error)).not.toMatch(/ECONNREFUSED|\.ts:|at /i);
  });

  it('a message is still stored and acknowledged while Redis is down (sends are only unlimited meanwhile)', async () => {
    const alice = await registeredBeforeOutage;
    const res = await sdk.sendMessage({ client: alice.user.client, path: { chatId: alice.chatId }, body: { clientId: 'during-outage', body: 'stored without Redis' } });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({ clientId: 'during-outage', seq: 1 });
  });
});

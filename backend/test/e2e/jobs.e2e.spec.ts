import { Queue, QueueEvents } from 'bullmq';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@/core/embedded';
import { QueueName } from '@/core/jobs';
import { anonymous, registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app';
import { closeAllSockets, connect, Inbox } from '../helpers/socket';
import { objectExists, png, requestUpload, sendBytes, uploadFile } from '../helpers/uploads';

interface AttachmentEvent {
  chatId: string;
  messageId: string | null;
  attachment: { id: string; thumbnailUrl?: string; width?: number; height?: number };
}

async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const direct = async (a: TestUser, b: TestUser) => (await sdk.createChat({ client: a.client, body: { type: 'direct', userId: b.id }, throwOnError: true })).data.id;

describe('background jobs (e2e: api and worker roles, real Redis, PostgreSQL and S3-compatible storage)', () => {
  const apps: TestApp[] = [];
  const children: ChildProcess[] = [];
  const queues: Queue[] = [];
  let db: Client;

  beforeAll(async () => {
    db = new Client({ connectionString: inject('databaseUrl') });
    await db.connect();
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(queues.map((q) => q.close()));
    await Promise.all(apps.map((a) => a.close().catch(() => undefined)));
    await db.end();
  });

  const start = async (env: Record<string, string>) => {
    const app = await startApp(env);
    apps.push(app);
    return app;
  };
  const mediaQueue = (prefix: string) => {
    const queue = new Queue('media', { connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix: `${prefix}:bull` });
    queues.push(queue);
    return queue;
  };

  it('an API-only instance queues the thumbnail; a separate worker makes it and every member gets attachment:updated', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const api = await start({ ROLE: 'api', REDIS_PREFIX: prefix });
    const [alice, bob] = [await registerUser(api.url), await registerUser(api.url)];
    const chatId = await direct(alice, bob);
    const bobInbox = new Inbox(await connect(api.url, bob.accessToken));

    const done = await uploadFile(alice, chatId, await png(900, 300), 'banner.png', 'image/png');
    const message = (await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), attachmentIds: [done.id] }, throwOnError: true })).data;
    const cursor = (await sdk.sync({ client: bob.client, throwOnError: true })).data.cursor;
    // No worker runs in the API role: the job waits.
    expect(await mediaQueue(prefix).getJobCounts('waiting')).toMatchObject({ waiting: 1 });

    await start({ ROLE: 'worker', REDIS_PREFIX: prefix });
    const [event] = await bobInbox.waitFor<AttachmentEvent>('attachment:updated', (e) => e.attachment.id === done.id, 1, 20_000);
    expect(event).toMatchObject({
      chatId,
      messageId: message.id,
      attachment: { id: done.id, thumbnailUrl: `/api/v1/attachments/${done.id}/thumbnail`, width: 900, height: 300 },
    });
    // A client that missed the event learns of the thumbnail when it catches up.
    const caughtUp = await eventually(async () => {
      const changes = (await sdk.sync({ client: bob.client, query: { since: cursor }, throwOnError: true })).data;
      return changes.messages.find((m) => m.id === message.id && m.attachments[0]?.thumbnailUrl);
    }, 10_000, 'the message in /sync');
    expect(caughtUp.attachments[0]).toMatchObject({ id: done.id, width: 900, height: 300 });
  });

  it('a worker killed with SIGKILL mid-job: the job is picked up again and completes once', async () => {
    const main = resolve(__dirname, '..', '..', 'dist', 'main.js');
    expect(existsSync(main), `${main} is missing: build the backend first (pnpm build)`).toBe(true);
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const fast = { JOB_LOCK_MS: '1500', JOB_STALLED_INTERVAL_MS: '500' };
    const api = await start({ ROLE: 'api', REDIS_PREFIX: prefix });
    const [alice, bob] = [await registerUser(api.url), await registerUser(api.url)];
    const chatId = await direct(alice, bob);
    const bobInbox = new Inbox(await connect(api.url, bob.accessToken));

    // Large dimensions make each thumbnail take a noticeable moment; five queue up behind a single-slot worker.
    const big = await png(8000, 8000, { compressionLevel: 9 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await uploadFile(alice, chatId, big, `big-${i}.png`, 'image/png')).id);
    await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), attachmentIds: ids }, throwOnError: true });

    const s3 = inject('s3');
    const queue = mediaQueue(prefix);
    // Pushed by Redis the moment a worker takes a job, so the kill lands while the job runs.
    const queueEvents = new QueueEvents('media', { connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix: `${prefix}:bull` });
    await queueEvents.waitUntilReady();
    const firstActive = new Promise<string>((resolve) => queueEvents.once('active', ({ jobId }) => resolve(jobId)));
    const worker = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        ROLE: 'worker',
        LOG_LEVEL: 'info',
        JWT_SECRET: TEST_JWT_SECRET,
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: prefix,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'msg-worker-')),
        JOB_CONCURRENCY: '1',
        ...fast,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    let output = '';
    worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const victimId = await Promise.race([
      firstActive,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the spawned worker took no job within 60 s; its output:\n${output}`)), 60_000)),
    ]);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    await queueEvents.close();

    // Another worker notices the stalled job once its lock expires and runs it again.
    await start({ ROLE: 'worker', REDIS_PREFIX: prefix, ...fast });
    await eventually(async () => (await queue.getJobCounts('completed')).completed === 5, 30_000, 'all five thumbnails');

    const counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed');
    expect(counts).toMatchObject({ completed: 5, failed: 0, active: 0, waiting: 0, delayed: 0 });
    // The job the killed worker held was started again by the second worker and finished there.
    const finished = await queue.getJobs(['completed']);
    const restarted = finished.filter((job) => job.attemptsStarted >= 2).map((job) => job.id);
    expect(restarted, `the job active at the kill was ${victimId}`).toContain(victimId);
    expect(finished.every((job) => job.finishedOn && job.failedReason === undefined)).toBe(true);

    // Every attachment got its thumbnail exactly once: one event each, and no second event for the retried one.
    await bobInbox.waitFor<AttachmentEvent>('attachment:updated', () => true, 5, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    const events = bobInbox.of<AttachmentEvent>('attachment:updated').map((e) => e.attachment.id);
    expect(events.sort()).toEqual([...ids].sort());
  });

  it('graceful shutdown of a worker waits for the job it is running', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const api = await start({ ROLE: 'api', REDIS_PREFIX: prefix });
    const [alice, bob] = [await registerUser(api.url), await registerUser(api.url)];
    const done = await uploadFile(alice, await direct(alice, bob), await png(8000, 8000, { compressionLevel: 9 }), 'huge.png', 'image/png');

    const queue = mediaQueue(prefix);
    const queueEvents = new QueueEvents('media', { connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix: `${prefix}:bull` });
    await queueEvents.waitUntilReady();
    const active = new Promise<string>((resolve) => queueEvents.once('active', ({ jobId }) => resolve(jobId)));
    const worker = await startApp({ ROLE: 'worker', REDIS_PREFIX: prefix, SHUTDOWN_GRACE_MS: '20000' });
    const jobId = await active;
    await worker.close();
    await queueEvents.close();

    const job = (await queue.getJob(jobId))!;
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBe(1);
    const attachment = (await db.query('SELECT thumbnail_key FROM attachments WHERE id = $1', [done.id])).rows[0];
    expect(attachment.thumbnail_key).toMatch(new RegExp(`^thumbnails/[0-9a-f-]{36}/${done.id}\\.webp$`));
  });

  it('the repeatable cleanup deletes uploads still pending after 24 h from storage and database, and keeps the rest', async () => {
    const app = await start({ CLEANUP_EVERY_SECONDS: '1' });
    const [alice, bob] = [await registerUser(app.url), await registerUser(app.url)];
    const chatId = await direct(alice, bob);
    const bytes = await png(12, 12);

    const stale = await requestUpload(alice, chatId, { name: 'abandoned.png', type: 'image/png', size: bytes.length });
    await sendBytes(stale, bytes, 'image/png');
    const fresh = await requestUpload(alice, chatId, { name: 'fresh.png', type: 'image/png', size: bytes.length });
    await sendBytes(fresh, bytes, 'image/png');
    const sent = await uploadFile(alice, chatId, bytes, 'sent.png', 'image/png');
    await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), attachmentIds: [sent.id] }, throwOnError: true });
    await db.query(`UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`, [[stale.id, sent.id]]);

    await eventually(async () => (await db.query('SELECT 1 FROM attachments WHERE id = $1', [stale.id])).rowCount === 0, 20_000, 'the stale upload row to go');
    expect(await objectExists(stale.key)).toBe(false);
    expect(await objectExists(fresh.key)).toBe(true);
    expect(await objectExists(sent.key)).toBe(true);
    expect((await db.query('SELECT id FROM attachments WHERE id = ANY($1::uuid[])', [[fresh.id, sent.id]])).rowCount).toBe(2);
  });

  it('shows queue depth, job durations and failures in /metrics', async () => {
    const app = await start({});
    const [alice, bob] = [await registerUser(app.url), await registerUser(app.url)];
    const done = await uploadFile(alice, await direct(alice, bob), await png(50, 50), 'm.png', 'image/png');
    await eventually(async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      return /job_duration_seconds_count\{queue="media",name="attachment-thumbnail",status="completed"\} 1/.test(text) && text;
    }, 20_000, `thumbnail of ${done.id} in metrics`);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/job_queue_jobs\{queue="media",state="completed"\} 1/);
    expect(text).toMatch(/job_queue_jobs\{queue="mail",state="waiting"\} 0/);
    expect(text).toContain('# TYPE jobs_failed_total counter');
  });

  it('serves the queue board at /admin/queues to admins only (bearer, or the cookie the session route sets)', async () => {
    const app = await start({});
    const user = await registerUser(app.url);
    const admin = await registerUser(app.url);
    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    const token = (await sdk.login({ client: anonymous(app.url), body: { login: admin.username, password: admin.password }, throwOnError: true })).data.accessToken;

    expect((await fetch(`${app.url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${app.url}/admin/queues`, { headers: { Authorization: `Bearer ${user.accessToken}` } })).status).toBe(403);
    const page = await fetch(`${app.url}/admin/queues`, { headers: { Authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/admin/queues/"');

    const denied = await sdk.openQueueBoard({ client: user.client });
    expect(denied.response.status).toBe(403);
    const session = await fetch(`${app.url}/api/v1/admin/queues/session`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(session.status).toBe(204);
    const cookie = session.headers.getSetCookie()[0];
    expect(cookie).toMatch(/^msg_board=.+; Path=\/admin\/queues; Max-Age=\d+; HttpOnly; SameSite=Strict/);
    const api = await fetch(`${app.url}/admin/queues/api/queues?activeQueue=media&status=latest&page=1`, { headers: { Cookie: cookie.split(';')[0] } });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    // Every queue of the registry is on the board, new ones included.
    expect(names).toEqual(Object.values(QueueName).sort());
  });
});

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasRedisServer)('start-up refuses an evicting Redis', () => {
  let redis: ChildProcess | undefined;
  afterAll(() => redis?.kill('SIGKILL'));

  it('fails with one line naming maxmemory-policy noeviction', async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
    const url = `redis://127.0.0.1:${port}`;
    await eventually(async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }, 10_000, 'redis-server');

    // The real start-up path, as `pnpm start` runs it: it must exit with one line and status 1.
    const s3 = inject('s3');
    const child = spawn(process.execPath, [resolve(__dirname, '..', '..', 'dist', 'main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: '0',
        JWT_SECRET: TEST_JWT_SECRET,
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: url,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'msg-evict-')),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Redis maxmemory-policy is "allkeys-lru", but the job queues need "noeviction"/)]);
  });
});

import { Queue } from 'bullmq';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';

async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const main = resolve(__dirname, '..', '..', 'dist', 'main.js');

describe('scheduled messages (e2e: api and worker processes, real Redis and PostgreSQL)', () => {
  const apps: TestApp[] = [];
  const children: ChildProcess[] = [];
  const queues: Queue[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(queues.map((q) => q.close()));
    await Promise.all(apps.map((a) => a.close().catch(() => undefined)));
  });

  const start = async (env: Record<string, string>) => {
    const app = await startApp(env);
    apps.push(app);
    return app;
  };
  const scheduledQueue = (prefix: string) => {
    const queue = new Queue('scheduled', { connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix: `${prefix}:bull` });
    queues.push(queue);
    return queue;
  };
  /** A worker process as production runs it (`ROLE=worker` from dist), its output kept for the assertion messages. */
  const spawnWorker = (prefix: string) => {
    const s3 = inject('s3');
    const child = spawn(process.execPath, [main], {
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
        DATA_DIR: mkdtempSync(join(tmpdir(), 'msg-sched-worker-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const state = { output: '' };
    child.stdout!.on('data', (chunk: Buffer) => (state.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (state.output += chunk.toString()));
    return state;
  };

  const group = async (owner: TestUser, members: TestUser[]) =>
    (await sdk.createChat({ client: owner.client, body: { type: 'group', title: 'Later', memberIds: members.map((m) => m.id) }, throwOnError: true })).data.id;
  const history = async (user: TestUser, chatId: string) =>
    (await sdk.listMessages({ client: user.client, path: { chatId }, throwOnError: true })).data.items;
  const schedule = (user: TestUser, chatId: string, body: string, inMs: number, clientId = randomUUID()) =>
    sdk.sendMessage({ client: user.client, path: { chatId }, body: { clientId, body, sendAt: new Date(Date.now() + inMs).toISOString() } });
  const scheduledOf = async (user: TestUser, chatId: string) =>
    (await sdk.listScheduledMessages({ client: user.client, path: { chatId }, throwOnError: true })).data.items;

  it('is sent once, at its time, by one of two worker processes, and nobody else sees it before', { timeout: 120_000 }, async () => {
    const prefix = `sch${randomBytes(4).toString('hex')}`;
    const api = await start({ ROLE: 'api', REDIS_PREFIX: prefix });
    const workers = [spawnWorker(prefix), spawnWorker(prefix)];
    await eventually(async () => workers.every((w) => w.output.includes('worker started')), 60_000, 'both worker processes');

    const alice = await registerUser(api.url);
    const bob = await registerUser(api.url);
    const chatId = await group(alice, [bob]);
    await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: 'now' }, throwOnError: true });

    const res = await schedule(alice, chatId, 'отправлю позже: встреча в пятницу', 12_000);
    expect(res.response.status).toBe(202);
    const scheduled = res.data as { id: string; sendAt: string; status: string; body: string };
    expect(scheduled).toMatchObject({ status: 'pending', body: 'отправлю позже: встреча в пятницу' });
    // The same clientId again answers the same scheduled message.
    const again = await sdk.sendMessage({
      client: alice.client,
      path: { chatId },
      body: { clientId: (res.data as { clientId: string }).clientId, body: 'other', sendAt: scheduled.sendAt },
    });
    expect(again.response.status).toBe(202);
    expect((again.data as { id: string }).id).toBe(scheduled.id);

    // A duplicate job for the same row, as a re-created job racing the original would be: still one message.
    await scheduledQueue(prefix).add('scheduled-send', { scheduledId: scheduled.id, version: 1 }, { jobId: `dup-${scheduled.id}`, delay: 12_000 });

    // Until then only the author knows about it.
    expect((await scheduledOf(alice, chatId)).map((s) => s.id)).toEqual([scheduled.id]);
    expect(await scheduledOf(bob, chatId)).toEqual([]);
    expect((await history(bob, chatId)).map((m) => m.body)).toEqual(['now']);
    expect((await history(alice, chatId)).map((m) => m.body)).toEqual(['now']);
    expect((await sdk.searchMessages({ client: bob.client, query: { q: 'пятницу' }, throwOnError: true })).data.items).toEqual([]);
    const sync = await sdk.sync({ client: bob.client, throwOnError: true }).catch(() => null);
    if (sync) expect(JSON.stringify(sync.data)).not.toContain('встреча в пятницу');

    const sent = await eventually(async () => (await history(bob, chatId)).find((m) => m.body === 'отправлю позже: встреча в пятницу'), 40_000, 'the scheduled message');
    expect(new Date(sent.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(scheduled.sendAt).getTime() - 2_000);
    expect(sent).toMatchObject({ seq: 2, senderId: alice.id });
    // Give the second worker and the duplicate job every chance to send it again.
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await history(bob, chatId)).map((m) => m.seq)).toEqual([2, 1]);
    expect(await scheduledOf(alice, chatId)).toEqual([]);
    await expectError(sdk.cancelScheduledMessage({ client: alice.client, path: { chatId, id: scheduled.id } }), 409);
  });

  it('can be edited and cancelled before it goes; only by its author', { timeout: 60_000 }, async () => {
    const app = await start({});
    const alice = await registerUser(app.url);
    const bob = await registerUser(app.url);
    const chatId = await group(alice, [bob]);

    const keep = (await schedule(alice, chatId, 'first draft', 11_000)).data as { id: string; sendAt: string };
    const drop = (await schedule(alice, chatId, 'never sent', 11_000)).data as { id: string };

    await expectError(sdk.updateScheduledMessage({ client: bob.client, path: { chatId, id: keep.id }, body: { body: 'hijack' } }), 404);
    await expectError(sdk.cancelScheduledMessage({ client: bob.client, path: { chatId, id: drop.id } }), 404);
    const edited = await sdk.updateScheduledMessage({ client: alice.client, path: { chatId, id: keep.id }, body: { body: 'final text' }, throwOnError: true });
    expect(edited.data).toMatchObject({ id: keep.id, body: 'final text', sendAt: keep.sendAt, status: 'pending' });
    const cancelled = await sdk.cancelScheduledMessage({ client: alice.client, path: { chatId, id: drop.id } });
    expect(cancelled.response.status).toBe(204);
    expect((await scheduledOf(alice, chatId)).map((s) => s.body)).toEqual(['final text']);

    await eventually(async () => (await history(bob, chatId)).length > 0, 30_000, 'the edited message');
    await new Promise((r) => setTimeout(r, 2_000));
    // The edit went out with its new text, once; the cancelled one never did.
    expect((await history(bob, chatId)).map((m) => m.body)).toEqual(['final text']);
  });

  it('refuses times too close or too far, attachments, and strangers, naming the field', async () => {
    const app = await start({ ROLE: 'api' });
    const alice = await registerUser(app.url);
    const eve = await registerUser(app.url);
    const chatId = await group(alice, []);
    await expectError(schedule(alice, chatId, 'soon', 3_000), 400, 'sendAt');
    await expectError(schedule(alice, chatId, 'late', 400 * 24 * 3600 * 1000), 400, 'sendAt');
    await expectError(
      sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: 'x', sendAt: 'tomorrow' } }),
      400,
      'sendAt',
    );
    await expectError(
      sdk.sendMessage({
        client: alice.client,
        path: { chatId },
        body: { clientId: randomUUID(), body: 'x', attachmentIds: [randomUUID()], sendAt: new Date(Date.now() + 60_000).toISOString() },
      }),
      400,
      'attachmentIds',
    );
    await expectError(schedule(eve, chatId, 'not my chat', 60_000), 404);
    await expectError(sdk.listScheduledMessages({ client: eve.client, path: { chatId } }), 404);
    const id = ((await schedule(alice, chatId, 'later', 60_000)).data as { id: string }).id;
    await expectError(sdk.updateScheduledMessage({ client: alice.client, path: { chatId, id }, body: { sendAt: new Date(Date.now() + 1000).toISOString() } }), 400, 'sendAt');
    await expectError(sdk.updateScheduledMessage({ client: alice.client, path: { chatId, id }, body: {} }), 400, 'body');
  });

  it('re-creates a delayed job that Redis lost, from PostgreSQL, when a worker starts', { timeout: 60_000 }, async () => {
    const prefix = `sch${randomBytes(4).toString('hex')}`;
    const api = await start({ ROLE: 'api', REDIS_PREFIX: prefix });
    const alice = await registerUser(api.url);
    const chatId = await group(alice, []);
    const scheduled = (await schedule(alice, chatId, 'survives a lost job', 11_000)).data as { id: string };
    const queue = scheduledQueue(prefix);
    // Lose it: the delayed job disappears from Redis while the row stays.
    await queue.obliterate({ force: true });
    expect(await queue.getJobCounts('delayed', 'waiting')).toMatchObject({ delayed: 0, waiting: 0 });

    await start({ ROLE: 'worker', REDIS_PREFIX: prefix });
    // Other files' rows share this database, so look for this row's job by its id rather than count jobs.
    await eventually(async () => (await queue.getJob(`scheduled-${scheduled.id}-1`))?.isDelayed(), 10_000, 'the re-created job');
    await eventually(async () => (await history(alice, chatId)).find((m) => m.body === 'survives a lost job'), 30_000, 'the message');
    expect(await scheduledOf(alice, chatId)).toEqual([]);
  });
});

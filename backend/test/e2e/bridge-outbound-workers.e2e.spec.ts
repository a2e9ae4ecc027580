import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram';
import type { TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { type Channel, deliveryOf, eventually, registerAdmin, send, telegramChannel, telegramThreads } from '../helpers/outbound';
import { BUILT_MAIN, workerProcesses } from '../helpers/worker';

const FINAL = ['sent', 'failed', 'blocked', 'unknown'];

/**
 * The sender across processes: the API role in this process, the worker role as built processes (`dist/main.js`),
 * two at once for the shared limits, and one killed with SIGKILL in the middle of 500 sends.
 */
describe('outbound delivery across worker processes (e2e: ROLE=api here, ROLE=worker spawned)', () => {
  const main = BUILT_MAIN;
  const workers = workerProcesses();
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const encryptionKey = randomBytes(32).toString('base64');
  let tg: FakeTelegram;
  let app: TestApp;
  let admin: TestUser;
  let db: Client;
  let env: Record<string, string>;

  beforeAll(async () => {
    expect(existsSync(main), `${main} is missing: build the backend first (pnpm build)`).toBe(true);
    tg = await startFakeTelegram();
    // Every process of the deployment shares the prefix, the key that opens the channel credentials, and the fakes.
    env = {
      PUBLIC_URL: 'https://messenger.example.test',
      TELEGRAM_API_URL: tg.url,
      BRIDGE_ENCRYPTION_KEY: encryptionKey,
      REDIS_PREFIX: prefix,
      RATE_MESSAGES: '100000',
      JOB_LOCK_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '500',
      BRIDGE_DELIVERY_SWEEP_SECONDS: '5',
      BRIDGE_PROVIDER_TIMEOUT_SECONDS: '5',
    };
    app = await startApp({ ...env, ROLE: 'api' });
    admin = await registerAdmin(app.url);
    db = new Client({ connectionString: inject('databaseUrl') });
    await db.connect();
  });
  afterAll(async () => {
    workers.killAll();
    await app?.close();
    await db?.end();
    await tg?.close();
  });

  const startWorker = (name: string, extra: Record<string, string> = {}) => workers.start(name, { ...env, ...extra });

  const threads = async (bot: FakeBot, channel: Channel, count: number, firstCustomer: number) => {
    const customerIds = Array.from({ length: count }, (_, i) => firstCustomer + i);
    const chatIds = await telegramThreads(app.url, admin, bot, channel, customerIds);
    return customerIds.map((customerId, i) => ({ customerId, chatId: chatIds[i] }));
  };

  it('keeps at least a second between sends to one chat with two worker processes taking jobs', async () => {
    const workers = [startWorker('w1'), startWorker('w2')];
    const bot = tg.addBot();
    const channel = await telegramChannel(app.url, admin, bot);
    const [one, other] = await threads(bot, channel, 2, 810_000);
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await send(app.url, admin, one.chatId, { body: `burst ${i}` }));
    const elsewhere = await send(app.url, admin, other.chatId, { body: 'another customer' });
    for (const m of sent) await deliveryOf(app.url, admin, one.chatId, m.body.id, ['sent'], 40_000);
    await deliveryOf(app.url, admin, other.chatId, elsewhere.body.id, ['sent']);

    const times = bot.sent.filter((s) => s.chatId === String(one.customerId)).map((s) => s.at);
    expect(times).toHaveLength(6);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    console.log(`per-chat gaps at the fake (ms): ${gaps.join(', ')}`);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000);
    // The other chat was not held behind the first one's queue.
    const otherAt = bot.sent.find((s) => s.chatId === String(other.customerId))!.at;
    expect(otherAt).toBeLessThan(times[5]);
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))));
  }, 120_000);

  it('kill -9 of the worker during 500 sends: every delivery final, none lost, duplicates at the fake no more than unknown', async () => {
    const first = startWorker('k1', { JOB_CONCURRENCY: '8' });
    const bots = [tg.addBot(), tg.addBot()];
    const channels = await Promise.all(bots.map((b) => telegramChannel(app.url, admin, b)));
    const perBot = 50;
    const started = Date.now();
    const threadSets = await Promise.all(bots.map((b, i) => threads(b, channels[i], perBot, 900_000 + i * 1000)));
    console.log(`${perBot * bots.length} threads in ${Date.now() - started} ms`);

    const messages: Array<{ id: string; chatId: string; body: string; bot: FakeBot; customerId: number }> = [];
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        threadSets.flatMap((set, b) =>
          set.map(async (t) => {
            const body = `m ${b}-${t.customerId}-${round}`;
            const res = await send(app.url, admin, t.chatId, { body });
            expect(res.status).toBe(201);
            messages.push({ id: res.body.id, chatId: t.chatId, body, bot: bots[b], customerId: t.customerId });
          }),
        ),
      );
    }
    expect(messages).toHaveLength(500);
    console.log(`500 messages stored in ${Date.now() - started} ms`);

    const sentCount = () => bots.reduce((n, b) => n + b.sent.length, 0);
    await eventually(async () => sentCount() >= 100, 60_000, `100 sends at the fake; worker output:\n${first.output()}`);
    // Make sure the kill lands with requests in flight: the next sends are taken by the fake and left unanswered.
    const callsNow = bots.map((b) => b.calls.length);
    for (const bot of bots) bot.fault('sendMessage', { kind: 'hang-after-accept', ms: 10_000 }, 3);
    await eventually(async () => bots.every((b, i) => b.calls.length >= callsNow[i] + 3), 30_000, 'requests in flight');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const atKill = sentCount();
    startWorker('k2', { JOB_CONCURRENCY: '8' });

    const ids = messages.map((m) => m.id);
    const states = await eventually(
      async () => {
        const { rows } = await db.query<{ state: string; n: string }>(
          `SELECT state, count(*)::text AS n FROM deliveries WHERE message_id = ANY($1::uuid[]) AND action = 'send' GROUP BY state`,
          [ids],
        );
        const byState = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
        const final = FINAL.reduce((n, s) => n + (byState[s] ?? 0), 0);
        return final === 500 ? byState : undefined;
      },
      120_000,
      'every delivery in a final state',
    );

    // What the customers got: each text counted at the fake.
    const received = new Map<string, number>();
    for (const bot of bots) for (const s of bot.sent) received.set(`${s.chatId}|${s.text}`, (received.get(`${s.chatId}|${s.text}`) ?? 0) + 1);
    const duplicates = [...received.values()].reduce((n, c) => n + (c - 1), 0);
    const { rows } = await db.query<{ message_id: string; state: string }>(`SELECT message_id, state FROM deliveries WHERE message_id = ANY($1::uuid[])`, [ids]);
    const stateOf = new Map(rows.map((r) => [r.message_id, r.state]));
    const lost = messages.filter((m) => stateOf.get(m.id) === 'sent' && !received.has(`${m.customerId}|${m.body}`)).length;
    const missing = messages.filter((m) => !stateOf.has(m.id)).length;
    const unknown = states.unknown ?? 0;
    console.log(
      `kill -9 during 500 sends: ${atKill} at the fake when killed; final states ${JSON.stringify(states)}; ` +
        `lost ${lost + missing}; duplicates at the fake ${duplicates}; unknown ${unknown}`,
    );
    expect(lost + missing).toBe(0);
    expect(states.failed ?? 0).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(unknown);
    // Whatever the customers got is a message we report as sent, or as unknown (it may have arrived).
    const byKey = new Map(messages.map((m) => [`${m.customerId}|${m.body}`, m]));
    for (const key of received.keys()) expect(['sent', 'unknown'], key).toContain(stateOf.get(byKey.get(key)?.id ?? ''));
  }, 300_000);
});

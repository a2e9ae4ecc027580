import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram';
import type { TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { api, eventually, registerAdmin, telegramChannel } from '../helpers/outbound';
import { BUILT_MAIN, workerProcesses } from '../helpers/worker';

const FINAL = ['sent', 'failed', 'blocked', 'unknown'];

/**
 * The fault test of the notifications API: 2,000 notifications (half at-most-once, half at-least-once) while the
 * worker process (`dist/main.js`, ROLE=worker) is killed with SIGKILL five times, each time with requests in flight.
 */
describe('notifications under SIGKILL of the worker (e2e: ROLE=api here, ROLE=worker spawned)', () => {
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
      NOTIFICATIONS_PER_MINUTE: '100000',
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

  it('2,000 notifications, the worker killed five times: all final, none lost, duplicates 0 at-most-once and within the unknown outcomes at-least-once', async () => {
    const bots = [tg.addBot(), tg.addBot(), tg.addBot(), tg.addBot()];
    const channels = await Promise.all(bots.map((b) => telegramChannel(app.url, admin, b)));
    const key = (await api<{ key: string }>(app.url, admin, 'POST', '/api-keys', { name: 'fault', scopes: ['notifications:send'] })).body.key;
    const total = 2000;
    const items = Array.from({ length: total }, (_, i) => ({
      i,
      bot: i % bots.length,
      chatId: String(2_000_000 + i),
      text: `n${i}`,
      policy: i % 2 === 0 ? 'at-most-once' : 'at-least-once',
    }));
    let worker = startWorker('f0', { JOB_CONCURRENCY: '16' });
    const ids = new Map<number, string>();
    const started = Date.now();
    for (let b = 0; b < total; b += 100) {
      await Promise.all(
        items.slice(b, b + 100).map(async (n) => {
          const res = await fetch(`${app.url}/api/v1/notifications`, {
            method: 'POST',
            headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
            body: JSON.stringify({ idempotencyKey: `k${n.i}`, channelId: channels[n.bot].id, chatId: n.chatId, text: n.text, policy: n.policy }),
          });
          expect(res.status).toBe(202);
          ids.set(n.i, ((await res.json()) as { id: string }).id);
        }),
      );
    }
    console.log(`${total} notifications accepted in ${Date.now() - started} ms`);

    const sentCount = () => bots.reduce((n, b) => n + b.sent.length, 0);
    for (let kill = 1; kill <= 5; kill++) {
      const target = Math.min(total - 50, sentCount() + 150);
      await eventually(async () => sentCount() >= target, 90_000, `sends before kill ${kill}; worker output:\n${worker.output()}`);
      // The kill lands with requests in flight: the fake takes the next sends and does not answer.
      const callsNow = bots.map((b) => b.calls.length);
      for (const bot of bots) bot.fault('sendMessage', { kind: 'hang-after-accept', ms: 10_000 }, 2);
      await eventually(async () => bots.some((b, i) => b.calls.length >= callsNow[i] + 1), 30_000, 'requests in flight');
      worker.child.kill('SIGKILL');
      await new Promise((r) => worker.child.once('exit', r));
      for (const bot of bots) bot.fault('sendMessage', null);
      console.log(`kill ${kill}: ${sentCount()} at the fake`);
      worker = startWorker(`f${kill}`, { JOB_CONCURRENCY: '16' });
    }

    const all = [...ids.values()];
    const states = await eventually(
      async () => {
        const { rows } = await db.query<{ state: string; n: string }>(`SELECT state, count(*)::text AS n FROM deliveries WHERE id = ANY($1::uuid[]) GROUP BY state`, [all]);
        const byState = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
        return FINAL.reduce((n, s) => n + (byState[s] ?? 0), 0) === total ? byState : undefined;
      },
      150_000,
      'every notification in a final state',
    );

    const { rows } = await db.query<{ id: string; state: string; policy: string; resends: number }>(`SELECT id, state, policy, resends FROM deliveries WHERE id = ANY($1::uuid[])`, [all]);
    const row = new Map(rows.map((r) => [r.id, r]));
    const received = new Map<string, number>();
    for (const bot of bots) for (const s of bot.sent) received.set(`${s.chatId}|${s.text}`, (received.get(`${s.chatId}|${s.text}`) ?? 0) + 1);
    const count = { 'at-most-once': { duplicates: 0, unknown: 0, resent: 0, lost: 0 }, 'at-least-once': { duplicates: 0, unknown: 0, resent: 0, lost: 0 } };
    for (const n of items) {
      const r = row.get(ids.get(n.i)!);
      const c = count[n.policy as keyof typeof count];
      const got = received.get(`${n.chatId}|${n.text}`) ?? 0;
      if (!r || (r.state === 'sent' && got === 0)) c.lost++;
      if (got > 1) c.duplicates += got - 1;
      if (r?.state === 'unknown') c.unknown++;
      if (r && r.resends > 0) c.resent++;
    }
    console.log(`2,000 notifications, 5 × SIGKILL: final states ${JSON.stringify(states)}; ${JSON.stringify(count)}`);
    expect(count['at-most-once'].lost + count['at-least-once'].lost).toBe(0);
    expect(count['at-most-once'].duplicates).toBe(0);
    expect(count['at-most-once'].resent).toBe(0);
    // A duplicate needs an outcome nobody could know: one left unknown, or one resent after it.
    expect(count['at-least-once'].duplicates).toBeLessThanOrEqual(count['at-least-once'].unknown + count['at-least-once'].resent);
    expect(states.failed ?? 0).toBe(0);
  }, 420_000);
});

// SIGKILL of the worker, again and again, while it sends operators' replies to Telegram customers (the backend's
// fake Telegram): every delivery ends final, none is lost, and a customer gets a message twice only where we
// admitted we could not know (a delivery left `unknown`).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sleep, waitFor } from '../lib/cluster.mjs';
import { rssLine, say, verdictOf } from '../lib/harness.mjs';
import { seedUsers } from '../lib/seed.mjs';

const FINAL = ['sent', 'failed', 'blocked', 'unknown'];
/** Quicker recovery after a kill than production's defaults (30 s locks, 30 s sweeps), so the scenario is minutes. */
const WORKER_ENV = { JOB_CONCURRENCY: '8', JOB_LOCK_MS: '5000', JOB_STALLED_INTERVAL_MS: '1000', BRIDGE_DELIVERY_SWEEP_SECONDS: '5', BRIDGE_PROVIDER_TIMEOUT_SECONDS: '5' };

async function call(url, token, method, path, body) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

/** In slices of `width` at a time, so a thousand requests do not all wait on one pool at once. */
async function inSlices(items, width, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

/** Each customer writes to the bot once (posted to the app's webhook as Telegram would); resolves to their thread ids. */
async function threads(ctx, admin, bot, channelId, customerIds) {
  const { webhook } = await ctx.telegram.bot(bot.token);
  if (!webhook?.url) throw new Error(`the channel of @${bot.username} set no webhook`);
  const path = new URL(webhook.url).pathname;
  const texts = await inSlices(customerIds, 20, async (id) => {
    const text = `hello ${randomUUID()}`;
    const update = await ctx.telegram.update(bot.token, { kind: 'text', text, from: { id, firstName: `Customer ${id}` } });
    const res = await fetch(`${ctx.apis[id % ctx.apis.length].url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhook.secretToken },
      body: JSON.stringify(update),
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status} ${await res.text()}`);
    return text;
  });
  return waitFor(
    `${customerIds.length} threads of @${bot.username}`,
    async () => {
      const found = new Map();
      let cursor;
      do {
        const res = await call(ctx.apis[0].url, admin.token, 'GET', `/inbox/threads?channelId=${channelId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        for (const t of res.body.items ?? []) if (t.lastMessage?.body) found.set(t.lastMessage.body, t.chat.id);
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      return texts.every((t) => found.has(t)) && texts.map((t) => found.get(t));
    },
    120_000,
    500,
  );
}

async function restartWorker(ctx, env) {
  await ctx.worker.kill('SIGTERM');
  ctx.worker.env = env;
  await ctx.worker.start();
}

export default {
  id: 5,
  title: 'SIGKILL of the worker during outbound Telegram sends',
  quick: true,
  needs: ['telegram'],
  async run(ctx) {
    const { bots: botCount, customers, rounds, kills } = ctx.params.outbound;
    const total = botCount * customers * rounds;
    const originalEnv = ctx.worker.env;
    await restartWorker(ctx, { ...originalEnv, ...WORKER_ENV });
    const db = new pg.Client({ connectionString: ctx.databaseUrl });
    await db.connect();
    try {
      const [admin] = await seedUsers(ctx.databaseUrl, { prefix: `out${Date.now()}`, users: 1, groupSize: 1, jwtSecret: ctx.jwtSecret });
      await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.userId]);

      const began = Date.now();
      const bots = [];
      for (let b = 0; b < botCount; b++) {
        const bot = await ctx.telegram.addBot(`faults_${b}_${Date.now()}_bot`);
        const channel = await call(ctx.apis[0].url, admin.token, 'POST', '/channels', { type: 'telegram', name: `fault bot ${b}`, botToken: bot.token });
        if (channel.status !== 201) throw new Error(`creating a Telegram channel: ${channel.status} ${JSON.stringify(channel.body)}`);
        const customerIds = Array.from({ length: customers }, (_, i) => 700_000 + b * 1000 + i);
        const chatIds = await threads(ctx, admin, bot, channel.body.id, customerIds);
        bots.push({ ...bot, threads: customerIds.map((customerId, i) => ({ customerId, chatId: chatIds[i] })) });
      }
      say(`  ${botCount} bots, ${botCount * customers} customer threads in ${((Date.now() - began) / 1000).toFixed(1)} s; sending ${total} replies`);

      const atFake = async () => {
        const states = await Promise.all(bots.map((b) => ctx.telegram.bot(b.token)));
        return { sent: states.reduce((n, s) => n + s.sent.length, 0), calls: states.map((s) => s.calls.length), states };
      };

      // The operator's replies, stored through the API (any instance) while the worker is being killed.
      const messages = [];
      const sending = (async () => {
        for (let round = 0; round < rounds; round++) {
          const jobs = bots.flatMap((bot, b) => bot.threads.map((t) => ({ bot, b, t })));
          await inSlices(jobs, 20, async ({ b, t }, i) => {
            const body = `reply ${b}-${t.customerId}-${round}`;
            const res = await call(ctx.apis[(i + round) % ctx.apis.length].url, admin.token, 'POST', `/chats/${t.chatId}/messages`, { clientId: randomUUID(), body });
            if (res.status !== 201) throw new Error(`sending a reply: ${res.status} ${JSON.stringify(res.body)}`);
            messages.push({ id: res.body.id, body, customerId: t.customerId });
          });
        }
      })();
      sending.catch(() => undefined);

      rssLine(ctx, 'before the kills');
      const killed = [];
      for (let k = 0; k < kills; k++) {
        // Spread over the run: the k-th kill once (k+1)/(kills+1) of the replies reached the fake (or 90 s passed).
        const target = Math.floor((total * (k + 1)) / (kills + 2));
        await waitFor(`${target} sends at the fake`, async () => (await atFake()).sent >= target, 90_000, 250).catch(() => undefined);
        // Make sure the kill lands with requests in flight: the next sends are taken by the fake and left unanswered.
        const before = (await atFake()).calls;
        for (const bot of bots) await ctx.telegram.fault(bot.token, 'sendMessage', { kind: 'hang-after-accept', ms: 10_000 }, 2);
        await waitFor('sends in flight at the fake', async () => (await atFake()).calls.every((n, i) => n >= before[i] + 2), 30_000, 100).catch(() => undefined);
        const { sent } = await atFake();
        await ctx.worker.kill('SIGKILL');
        killed.push(sent);
        say(`  SIGKILL ${k + 1} of the worker with ${sent} sends at the fake`);
        await sleep(1000);
        await ctx.worker.start();
      }
      await sending;
      const lastKill = Date.now();
      say(`  ${messages.length} replies stored; waiting for every delivery to be final`);
      rssLine(ctx, 'after the kills');

      const ids = messages.map((m) => m.id);
      const byState = async () => {
        const { rows } = await db.query(`SELECT state, count(*)::int AS n FROM deliveries WHERE message_id = ANY($1::uuid[]) AND action = 'send' GROUP BY state`, [ids]);
        return Object.fromEntries(rows.map((r) => [r.state, r.n]));
      };
      const finalCount = (s) => FINAL.reduce((n, f) => n + (s[f] ?? 0), 0);
      await waitFor('every delivery in a final state', async () => finalCount(await byState()) === total, ctx.params.drainMs + 60_000, 500).catch(() => undefined);
      const settledMs = Date.now() - lastKill;
      const states = await byState();

      // What the customers got: each reply counted at the fake (the hung requests were accepted there, so they count).
      const { states: fakeStates } = await atFake();
      const received = new Map();
      for (const s of fakeStates) for (const m of s.sent) received.set(`${m.chatId}|${m.text}`, (received.get(`${m.chatId}|${m.text}`) ?? 0) + 1);
      const duplicates = [...received.values()].reduce((n, c) => n + (c - 1), 0);
      const { rows } = await db.query(`SELECT message_id, state FROM deliveries WHERE message_id = ANY($1::uuid[]) AND action = 'send'`, [ids]);
      const stateOf = new Map(rows.map((r) => [r.message_id, r.state]));
      const keyOf = (m) => `${m.customerId}|${m.body}`;
      const noDelivery = messages.filter((m) => !stateOf.has(m.id)).length;
      const notFinal = total - finalCount(states);
      const sentNotReceived = messages.filter((m) => stateOf.get(m.id) === 'sent' && !received.has(keyOf(m))).length;
      const lost = noDelivery + sentNotReceived;
      // A reply the customer got must be one we report as sent, or as unknown (it may have arrived).
      const byKey = new Map(messages.map((m) => [keyOf(m), m]));
      const misreported = [...received.keys()].filter((key) => !['sent', 'unknown'].includes(stateOf.get(byKey.get(key)?.id))).length;
      const unknown = states.unknown ?? 0;

      say(`  replies ${messages.length} of ${total}; final states ${JSON.stringify(states)}; at the fake ${received.size} distinct, ${duplicates} duplicated`);
      say(`  lost ${lost} (no delivery ${noDelivery}, sent but never at the fake ${sentNotReceived}); not final ${notFinal}; received but reported failed/blocked ${misreported}`);
      const ok = verdictOf([
        { what: 'faults injected (SIGKILL of the worker, each with sends in flight)', value: `${kills}, at ${killed.join(', ')} sends`, ok: killed.length === kills },
        { what: 'replies stored', value: `${messages.length} of ${total}`, ok: messages.length === total },
        { what: 'deliveries not in a final state (sent/failed/blocked/unknown)', value: notFinal, ok: notFinal === 0 },
        { what: 'lost (no delivery, or reported sent but never received)', value: lost, ok: lost === 0 },
        { what: 'duplicates at the fake, at most the deliveries left unknown', value: `${duplicates} ≤ ${unknown}`, ok: duplicates <= unknown },
        { what: 'received by the customer but reported failed or blocked', value: misreported, ok: misreported === 0 },
        { what: 'failed deliveries (the fake refused nothing)', value: states.failed ?? 0, ok: true },
        { timing: true, what: 'every delivery final after the last kill', value: `${(settledMs / 1000).toFixed(1)} s`, ok: notFinal === 0 && settledMs <= 60_000 },
      ]);
      return {
        ok,
        row: {
          faults: `${kills} × SIGKILL worker during ${total} Telegram sends`,
          operations: total,
          lost,
          duplicated: `${duplicates} (unknown ${unknown})`,
          gaps: notFinal,
          recovery: `all final ${(settledMs / 1000).toFixed(1)} s after the last kill`,
        },
      };
    } finally {
      await db.end();
      await restartWorker(ctx, originalEnv).catch(() => undefined);
    }
  },
};

#!/usr/bin/env node
// Webhook ingestion benchmark: Telegram updates POSTed to the app at a fixed rate (open loop), latency of each
// answer measured from the moment it was due, so a stall shows up in the tail instead of slowing the sender.
// See bench/README.md ("Webhook ingestion").
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createDatabase, freePort, machineTicks, sleep } from './lib/infra.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (msg = '') => process.stdout.write(`${msg}\n`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  return raw === undefined ? fallback : Number(raw);
};
const RATE = arg('rate', 200);
const DURATION = arg('duration', 30);
const WARMUP = arg('warmup', 5);
const CHATS = arg('chats', 50);
const ROLE = process.argv.includes('--api-only') ? 'api' : 'all';

const appMain = join(root, 'backend', 'dist', 'main.js');
if (!existsSync(appMain)) {
  process.stderr.write(`${appMain} is missing: run pnpm build first (pnpm bench:webhooks does).\n`);
  process.exit(2);
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `whb${randomBytes(3).toString('hex')}`;
const cleanups = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  cleanups.length = 0;
};
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

/** Just enough of the Bot API for a channel to be created: getMe and setWebhook (whose secret we keep). */
async function startBotApiStub() {
  const state = { secret: null, url: null };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const method = req.url.split('/').pop();
      const params = body ? (req.headers['content-type']?.includes('json') ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body))) : {};
      let result = true;
      if (method === 'getMe') result = { id: 777000, is_bot: true, first_name: 'Bench', username: 'bench_bot' };
      if (method === 'setWebhook') Object.assign(state, { secret: params.secret_token, url: params.url });
      if (method === 'getWebhookInfo') result = { url: state.url ?? '', has_custom_certificate: false, pending_update_count: 0 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
    });
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${port}`, state };
}

async function startApp(databaseUrl, telegramUrl, logDir) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(logDir, 'app.log'));
  const child = spawn(process.execPath, [appMain], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ROLE,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PUBLIC_URL: url,
      TELEGRAM_API_URL: telegramUrl,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await sleep(500);
    child.kill('SIGKILL');
  });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the app exited; see ${join(logDir, 'app.log')}`);
    if ((await fetch(`${url}/health`).catch(() => null))?.ok) return url;
    await sleep(200);
  }
  throw new Error('the app did not become healthy in 60 s');
}

async function api(url, path, token, body) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const logDir = mkdtempSync(join(tmpdir(), 'messenger-bench-webhooks-'));
  say(`webhook bench: ${RATE} requests/s for ${WARMUP} s warm-up + ${DURATION} s measured, ${CHATS} customers, ROLE=${ROLE}, ${cpus().length} cores`);
  say(`  app log: ${join(logDir, 'app.log')}`);
  const t0 = machineTicks();
  await sleep(1000);
  const t1 = machineTicks();
  say(`  host CPU busy before start: ${(((t1.busy - t0.busy) / (t1.total - t0.total)) * 100).toFixed(0)} %`);

  const db = await createDatabase(adminUrl);
  cleanups.push(() => db.drop());
  const redis = new Redis(redisUrl, { lazyConnect: true });
  cleanups.push(async () => {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  });
  const stub = await startBotApiStub();
  const url = await startApp(db.url, stub.url, logDir);
  // A fresh installation: the first account is its admin.
  const { accessToken } = await api(url, '/auth/register', null, { email: 'bench@example.test', username: 'bench', password: 'bench-password-1', displayName: 'Bench' });
  const channel = await api(url, '/channels', accessToken, { type: 'telegram', name: 'Bench bot', botToken: '777000:bench-token' });
  const webhook = `${url}/api/v1/webhooks/telegram/${channel.id}`;

  let updateId = 1_000_000;
  const send = async (due) => {
    const id = updateId++;
    const customer = 5_000_000 + (id % CHATS);
    const update = {
      update_id: id,
      message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: customer, type: 'private', first_name: `C${customer}` }, from: { id: customer, is_bot: false, first_name: `C${customer}` }, text: `message ${id}` },
    };
    try {
      const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': stub.state.secret }, body: JSON.stringify(update) });
      await res.arrayBuffer();
      return { ms: performance.now() - due, ok: res.status === 200 };
    } catch {
      return { ms: performance.now() - due, ok: false };
    }
  };

  const run = async (seconds) => {
    const total = Math.round(seconds * RATE);
    const start = performance.now() + 50;
    const pending = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      pending.push(send(due));
    }
    return Promise.all(pending);
  };

  await run(WARMUP);
  const results = await run(DURATION);
  const lat = results.map((r) => r.ms).sort((a, b) => a - b);
  const errors = results.filter((r) => !r.ok).length;

  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  cleanups.push(() => sql.end());
  const stored = Number((await sql.query('SELECT count(*) AS n FROM inbound_events')).rows[0].n);
  const sent = Math.round((WARMUP + DURATION) * RATE);
  const drainStart = Date.now();
  let pendingLeft = 0;
  if (ROLE === 'all') {
    for (;;) {
      pendingLeft = Number((await sql.query(`SELECT count(*) AS n FROM inbound_events WHERE result = 'pending'`)).rows[0].n);
      if (pendingLeft === 0 || Date.now() - drainStart > 120_000) break;
      await sleep(500);
    }
  }
  const messages = Number((await sql.query(`SELECT count(*) AS n FROM messages`)).rows[0].n);

  say('');
  say(`  measured requests: ${results.length} (${RATE}/s for ${DURATION} s), errors: ${errors}`);
  say(`  latency from due time, ms: p50 ${percentile(lat, 50).toFixed(1)}  p90 ${percentile(lat, 90).toFixed(1)}  p99 ${percentile(lat, 99).toFixed(1)}  max ${lat[lat.length - 1].toFixed(1)}`);
  say(`  stored events: ${stored} of ${sent} sent`);
  if (ROLE === 'all') say(`  processed into messages: ${messages} (processing finished ${((Date.now() - drainStart) / 1000).toFixed(1)} s after the last request; ${pendingLeft} still pending)`);
  await cleanup();
  process.exit(percentile(lat, 99) <= 100 && errors === 0 ? 0 : 1);
}

main().catch(async (error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  await cleanup();
  process.exit(1);
});

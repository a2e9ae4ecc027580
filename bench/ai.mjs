#!/usr/bin/env node
// AI agent benchmark: many conversations with AI-enabled channels at once; the fake model answers each request
// after a fixed delay (1 s by default). `--via widget` (the default): website visitors on the /widget socket, from
// sending a message to the agent's answer arriving in the visitor's socket. `--via telegram`: Telegram customers,
// from handing the update to (fake) Telegram until the answer reaches Telegram's sendMessage. Prints the latency
// percentiles and the app's CPU per answer. See bench/README.md ("AI agent").
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { io } from 'socket.io-client';
import { createDatabase, cpuDelta, freePort, machineTicks, processCpuMs, serviceCpu, sleep } from './lib/infra.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (msg = '') => process.stdout.write(`${msg}\n`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  return raw === undefined ? fallback : Number(raw);
};
const CONVERSATIONS = arg('conversations', 200);
const MESSAGES = arg('messages', 3);
const MODEL_MS = arg('model-ms', 1000);
const THINK_MS = arg('think-ms', 1000);
// Telegram allows a bot about 25 sends a second; the customers are spread over bots so that limit is not measured.
const BOTS = arg('bots', Math.max(1, Math.ceil(CONVERSATIONS / 20)));
const ANSWER_TIMEOUT_MS = arg('answer-timeout-ms', 30_000);
const viaAt = process.argv.indexOf('--via');
const VIA = viaAt >= 0 ? process.argv[viaAt + 1] : (process.env.BENCH_VIA ?? 'widget');
if (VIA !== 'widget' && VIA !== 'telegram') {
  process.stderr.write(`--via must be widget or telegram, not ${VIA}\n`);
  process.exit(2);
}
/** The site the widget is embedded in: the origin its sessions and sockets present. */
const SITE_ORIGIN = 'https://shop.bench.example';

const appMain = join(root, 'backend', 'dist', 'main.js');
const tsx = join(root, 'backend', 'node_modules', '.bin', 'tsx');
const fakeCli = join(root, 'backend', 'test', 'fakes', 'cli.ts');
if (!existsSync(appMain)) {
  process.stderr.write(`${appMain} is missing: run pnpm build first (pnpm bench:ai does).\n`);
  process.exit(2);
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `aib${randomBytes(3).toString('hex')}`;
const cleanups = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  cleanups.length = 0;
};
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

function spawnLogged(name, command, args, env, logDir) {
  const log = createWriteStream(join(logDir, `${name}.log`));
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await sleep(300);
    child.kill('SIGKILL');
  });
  return child;
}

async function waitFor(url, child, what, logDir) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited; see ${logDir}`);
    if ((await fetch(url).catch(() => null))?.ok) return;
    await sleep(200);
  }
  throw new Error(`${what} did not start in 60 s`);
}

/** The fake Telegram and the fake model of the tests (backend/test/fakes), each in its own process. */
async function startFakes(logDir) {
  const [tgPort, llmPort] = await Promise.all([freePort(), freePort()]);
  const tg = spawnLogged('fake-telegram', tsx, [fakeCli, 'telegram'], { FAKE_TELEGRAM_PORT: String(tgPort) }, logDir);
  const llm = spawnLogged('fake-llm', tsx, [fakeCli, 'llm'], { FAKE_LLM_PORT: String(llmPort), FAKE_LLM_DELAY_MS: String(MODEL_MS) }, logDir);
  const tgUrl = `http://127.0.0.1:${tgPort}`;
  const llmUrl = `http://127.0.0.1:${llmPort}`;
  await Promise.all([waitFor(`${tgUrl}/_fake`, tg, 'the fake Telegram', logDir), waitFor(`${llmUrl}/_fake`, llm, 'the fake model', logDir)]);
  // Every reply of the model takes MODEL_MS, scripted or not.
  await fetch(`${llmUrl}/_fake/delay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: MODEL_MS }) });
  await fetch(`${llmUrl}/_fake/default`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Thanks, we open at 9.' }) });
  return { tgUrl, llmUrl: `${llmUrl}/v1` };
}

async function startApp(databaseUrl, fakes, logDir) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnLogged(
    'app',
    process.execPath,
    [appMain],
    {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PUBLIC_URL: url,
      TELEGRAM_API_URL: fakes.tgUrl,
      AI_BASE_URL: fakes.llmUrl,
      AI_API_KEY: 'bench-key',
      // Every visitor of the bench comes from this one host; the per-IP session limit is for the open internet.
      RATE_WIDGET_SESSIONS: '100000',
      LOG_LEVEL: 'warn',
    },
    logDir,
  );
  await waitFor(`${url}/health`, child, 'the app', logDir);
  return { url, pid: child.pid };
}

async function call(url, method, path, token, body) {
  const res = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function main() {
  const logDir = mkdtempSync(join(tmpdir(), 'messenger-bench-ai-'));
  say(
    `AI agent bench (${VIA === 'widget' ? 'website visitors on the widget socket' : `Telegram customers over ${BOTS} bots`}): ${CONVERSATIONS} conversations × ${MESSAGES} messages, ` +
      `model ${MODEL_MS} ms, think ${THINK_MS} ms, ${cpus().length} cores`,
  );
  say(`  logs: ${logDir}`);
  const h0 = machineTicks();
  await sleep(1000);
  const h1 = machineTicks();
  say(`  host CPU busy before start: ${(((h1.busy - h0.busy) / (h1.total - h0.total)) * 100).toFixed(0)} %`);

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
  const fakes = await startFakes(logDir);
  const app = await startApp(db.url, fakes, logDir);

  // A fresh installation: the first account is its admin.
  const { accessToken } = await call(app.url, 'POST', '/api/v1/auth/register', null, { email: 'bench@example.test', username: 'bench', password: 'bench-password-1', displayName: 'Bench' });
  const ai = { enabled: true, mode: 'auto', model: 'fake-model', systemPrompt: 'You are the shop assistant.', fallbackText: 'A manager will answer shortly.', agentName: 'Bench AI' };
  const results = [];
  let conversation;
  let stopPolling = async () => undefined;
  if (VIA === 'widget') {
    const channel = await call(app.url, 'POST', '/api/v1/channels', accessToken, { type: 'web', name: 'Bench shop', allowedOrigins: [SITE_ORIGIN], ai });
    conversation = async (i) => {
      // A visitor: a session from the site's origin, then the widget's socket, as widget.js does.
      const res = await fetch(`${app.url}/api/v1/widget/${channel.id}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE_ORIGIN },
        body: JSON.stringify({ name: `Visitor ${i}` }),
      });
      if (!res.ok) throw new Error(`session answered ${res.status}: ${await res.text()}`);
      const session = await res.json();
      const socket = io(`${app.url}/widget`, { auth: { token: session.token }, transports: ['websocket'], extraHeaders: { origin: SITE_ORIGIN }, reconnection: false });
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      let waiter = null;
      socket.on('message:new', (m) => {
        if (m.from === 'agent' && waiter) waiter(m);
      });
      await sleep(Math.random() * THINK_MS);
      for (let m = 0; m < MESSAGES; m++) {
        const answered = new Promise((resolve) => (waiter = resolve));
        const at = Date.now();
        const ack = await socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck('message:send', { clientId: `v${i}-${m}`, body: `Question ${m + 1}: what time do you open?` }).catch(() => null);
        const sent = ack?.ok ? await Promise.race([answered, sleep(ANSWER_TIMEOUT_MS).then(() => null)]) : null;
        waiter = null;
        if (!sent) {
          results.push({ first: m === 0, ms: null });
          break;
        }
        results.push({ first: m === 0, ms: Date.now() - at, fallback: sent.body === ai.fallbackText });
        await sleep(THINK_MS * (0.5 + Math.random()));
      }
      socket.close();
    };
  } else {
    const bots = [];
    for (let b = 0; b < BOTS; b++) {
      const bot = await call(fakes.tgUrl, 'POST', '/_fake/bots', null, { username: `bench_ai_${b}_bot` });
      await call(app.url, 'POST', '/api/v1/channels', accessToken, { type: 'telegram', name: `Bench AI ${b}`, botToken: bot.token, ai });
      bots.push(bot.token);
    }

    // One poller reads what each bot sent and settles the waiting customers by chat id.
    const waiting = new Map();
    const seen = new Map(bots.map((t) => [t, 0]));
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const token of bots) {
          const state = await call(fakes.tgUrl, 'GET', `/_fake/bots/${token}`).catch(() => null);
          if (!state) continue;
          for (const sent of state.sent.slice(seen.get(token))) {
            const key = `${token}:${sent.chatId}`;
            const waiter = waiting.get(key);
            if (waiter) {
              waiting.delete(key);
              waiter(sent);
            }
          }
          seen.set(token, state.sent.length);
        }
        await sleep(100);
      }
    })();

    stopPolling = async () => {
      polling = false;
      await poller;
    };
    conversation = async (i) => {
      const token = bots[i % bots.length];
      const customer = 7_000_000 + i;
      await sleep(Math.random() * THINK_MS);
      for (let m = 0; m < MESSAGES; m++) {
        const answered = new Promise((resolve) => waiting.set(`${token}:${customer}`, resolve));
        const at = Date.now();
        await call(fakes.tgUrl, 'POST', `/_fake/bots/${token}/updates`, null, {
          kind: 'text',
          text: `Question ${m + 1}: what time do you open?`,
          from: { id: customer, firstName: `Customer ${i}` },
        });
        const sent = await Promise.race([answered, sleep(ANSWER_TIMEOUT_MS).then(() => null)]);
        if (!sent) {
          waiting.delete(`${token}:${customer}`);
          results.push({ first: m === 0, ms: null });
          return;
        }
        results.push({ first: m === 0, ms: sent.at - at, fallback: sent.text === ai.fallbackText });
        await sleep(THINK_MS * (0.5 + Math.random()));
      }
    };
  }
  const cpu0 = processCpuMs(app.pid);
  const svc0 = serviceCpu(db.name);
  const started = Date.now();
  await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => conversation(i)));
  const elapsed = (Date.now() - started) / 1000;
  const cpuMs = processCpuMs(app.pid) - cpu0;
  const svc1 = serviceCpu(db.name);
  await stopPolling();

  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  cleanups.push(() => sql.end());
  const aiMessages = Number((await sql.query(`SELECT count(*) AS n FROM messages WHERE sender_kind = 'ai'`)).rows[0].n);

  const answered = results.filter((r) => r.ms !== null);
  const lat = answered.map((r) => r.ms).sort((a, b) => a - b);
  const follow = answered.filter((r) => !r.first).map((r) => r.ms).sort((a, b) => a - b);
  const fallbacks = answered.filter((r) => r.fallback).length;
  const line = (name, xs) =>
    xs.length ? `  ${name}: p50 ${percentile(xs, 50)} ms  p90 ${percentile(xs, 90)} ms  p99 ${percentile(xs, 99)} ms  max ${xs[xs.length - 1]} ms  (n=${xs.length})` : `  ${name}: none`;
  say('');
  say(`  customer messages: ${results.length}, answered: ${answered.length}, of them the fallback text: ${fallbacks}, unanswered: ${results.length - answered.length}`);
  say(line(`message → answer ${VIA === 'widget' ? 'in the widget' : 'at Telegram'}, all`, lat));
  say(line('message → answer, follow-ups (thread exists)', follow));
  say(`  app CPU: ${(cpuMs / 1000).toFixed(1)} s over ${elapsed.toFixed(1)} s = ${(cpuMs / Math.max(1, aiMessages)).toFixed(1)} ms per answer (${aiMessages} AI messages stored)`);
  say(`  PostgreSQL CPU per answer: ${(cpuDelta(svc0.pg, svc1.pg) / Math.max(1, aiMessages)).toFixed(1)} ms, Redis (whole server): ${(cpuDelta(svc0.redis, svc1.redis) / Math.max(1, aiMessages)).toFixed(1)} ms`);
  await cleanup();
  process.exit(lat.length && percentile(lat, 99) <= 3000 && answered.length === results.length && fallbacks === 0 ? 0 : 1);
}

main().catch(async (error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  await cleanup();
  process.exit(1);
});

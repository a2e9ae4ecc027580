#!/usr/bin/env node
// Search latency at 1,000,000 messages: seeds (or reuses) the performance data set, starts the built app
// (`backend/dist`, ROLE=api) on it, and runs GET /api/v1/search/messages from 20 concurrent clients, each request as
// a random member with a query drawn from everyday Russian and English searches (words, prefixes, phrases, typos).
// Prints p50/p90/p99 overall and per kind, the machine's load and CPU steal during the run, and with --explain the
// EXPLAIN (ANALYZE, BUFFERS) of the exact SQL the app runs for each kind.
//
//   pnpm bench:search [--clients 20] [--seconds 30] [--warmup 5] [--explain] [--database-url URL]
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineTicks, serviceCpu, cpuDelta, startServer } from './lib/infra.mjs';
import { DEFAULT_SEED_URL, seed } from './seed.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const backendRequire = createRequire(join(root, 'backend', 'package.json'));
const pg = backendRequire('pg');
const jwt = createRequire(import.meta.url)('jsonwebtoken');

/** What people type, with the kind it exercises; the weights are how often each kind comes up. */
const QUERIES = [
  ['word', 'заказы'], ['word', 'доставка'], ['word', 'курьер'], ['word', 'скидка'], ['word', 'возврат'], ['word', 'адрес'],
  ['word', 'договор'], ['word', 'пятницу'], ['word', 'orders'], ['word', 'refund'], ['word', 'shipping'], ['word', 'invoice'],
  ['word', 'warehouse'], ['word', 'meeting'], ['word', 'Новосибирск'], ['word', 'заказ доставка'], ['word', 'delivery address'],
  ['prefix', 'достав*'], ['prefix', 'отчёт*'], ['prefix', 'ship*'], ['prefix', 'подпис*'],
  ['phrase', '"статус заказа"'], ['phrase', '"tracking number"'], ['phrase', '"пункта выдачи"'],
  ['typo', 'Навосибирск'], ['typo', 'курер'], ['typo', 'warehuose'], ['typo', 'презентацыю'],
];

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : '—');

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '5' },
      explain: { type: 'boolean', default: false },
      'database-url': { type: 'string' },
    },
  });
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const databaseUrl = values['database-url'] ?? process.env.BENCH_SEED_DATABASE_URL ?? DEFAULT_SEED_URL;

  const data = await seed({ databaseUrl });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows: members } = await db.query(
    `SELECT u.id, u.username, count(*)::int AS chats FROM users u JOIN chat_members cm ON cm.user_id = u.id GROUP BY u.id ORDER BY random() LIMIT 500`,
  );
  const avgChats = members.reduce((a, m) => a + m.chats, 0) / members.length;

  if (values.explain) await explainAll(db, members[0]);

  const secret = randomBytes(32).toString('hex');
  const logDir = mkdtempSync(join(tmpdir(), 'messenger-bench-search-'));
  const server = await startServer({
    name: 'ours',
    script: join(root, 'backend', 'dist', 'main.js'),
    cwd: join(root, 'backend'),
    logDir,
    probeScript: join(here, 'lib', 'probe.cjs'),
    env: {
      NODE_ENV: 'production',
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ROLE: 'api',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: '20',
      JWT_SECRET: secret,
      REDIS_PREFIX: `bsearch${randomBytes(3).toString('hex')}`,
      DATA_DIR: logDir,
    },
  });
  const tokens = members.map((m) => jwt.sign({ sub: m.id, username: m.username, role: 'user' }, secret, { algorithm: 'HS256', expiresIn: 3600 }));

  const samples = [];
  let errors = 0;
  let recording = false;
  let stop = false;
  const client = async () => {
    while (!stop) {
      const [kind, q] = QUERIES[Math.floor(Math.random() * QUERIES.length)];
      const token = tokens[Math.floor(Math.random() * tokens.length)];
      const started = performance.now();
      const res = await fetch(`${server.url}/api/v1/search/messages?q=${encodeURIComponent(q)}&limit=20`, { headers: { Authorization: `Bearer ${token}` } });
      const body = await res.json();
      const ms = performance.now() - started;
      if (!res.ok) {
        errors++;
        if (errors < 3) console.error(`search: HTTP ${res.status} ${JSON.stringify(body)}`);
        continue;
      }
      if (recording) samples.push({ kind, ms, hits: body.items.length });
    }
  };
  console.log(`search bench: ${data.messages} messages, ${members.length} sampled members (in ${avgChats.toFixed(1)} chats each on average), ${clients} clients`);
  const loops = Array.from({ length: clients }, client);
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const load0 = loadavg();
  const ticks0 = machineTicks();
  const services0 = serviceCpu(new URL(databaseUrl).pathname.slice(1));
  const app0 = server.cpuMs();
  recording = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  recording = false;
  const ticks1 = machineTicks();
  const services1 = serviceCpu(new URL(databaseUrl).pathname.slice(1));
  const app1 = server.cpuMs();
  const load1 = loadavg();
  stop = true;
  await Promise.all(loops);

  const total = ticks1.total - ticks0.total;
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  console.log(`\nrequests ${samples.length} in ${seconds} s (${(samples.length / seconds).toFixed(0)}/s), errors ${errors}`);
  console.log(`${'kind'.padEnd(8)} ${'n'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'hits/req'.padStart(9)}`);
  for (const kind of ['all', 'word', 'prefix', 'phrase', 'typo']) {
    const chosen = kind === 'all' ? samples : samples.filter((s) => s.kind === kind);
    const ms = chosen.map((s) => s.ms).sort((a, b) => a - b);
    const hits = chosen.reduce((a, s) => a + s.hits, 0) / Math.max(1, chosen.length);
    console.log(
      `${kind.padEnd(8)} ${String(ms.length).padStart(6)} ${fmt(percentile(ms, 0.5)).padStart(8)} ${fmt(percentile(ms, 0.9)).padStart(8)} ${fmt(percentile(ms, 0.99)).padStart(8)} ${fmt(ms[ms.length - 1]).padStart(8)} ${hits.toFixed(1).padStart(9)}`,
    );
  }
  console.log(
    `\nmachine: busy ${((100 * (ticks1.busy - ticks0.busy)) / total).toFixed(0)} %, steal ${((100 * (ticks1.steal - ticks0.steal)) / total).toFixed(1)} % of ${2} cores; ` +
      `load average ${load0[0].toFixed(2)} → ${load1[0].toFixed(2)}; CPU s per s: app ${((app1 - app0) / 1000 / seconds).toFixed(2)}, ` +
      `PostgreSQL ${(cpuDelta(services0.pg, services1.pg) / 1000 / seconds).toFixed(2)}`,
  );
  console.log(`p99 ${fmt(percentile(all, 0.99))} ms against the 100 ms target: ${percentile(all, 0.99) <= 100 ? 'met' : 'MISSED'}`);
  await server.stop();
  await db.end();
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements the app's own SearchRepository builds (from backend/dist), captured
 * by handing it a data source that records instead of querying.
 */
async function explainAll(db, member) {
  const { SearchRepository } = backendRequire('./dist/repositories/search.repository.js');
  const { parseSearchQuery, plainWords, HIGHLIGHT_START, HIGHLIGHT_STOP } = backendRequire('./dist/services/search-query.js');
  const captured = [];
  // The plan choice (how many messages the caller can see) is answered for real; the searches are only recorded.
  const recorder = {
    query: async (sql, params) => (/sum\(c\.last_message_seq\)/.test(sql) ? (await db.query(sql, params)).rows : (captured.push({ sql, params }), [])),
  };
  const repo = new SearchRepository({ ...recorder, transaction: async (work) => work(recorder) });
  const filters = { userId: member.id };
  const marks = { start: HIGHLIGHT_START, stop: HIGHLIGHT_STOP };
  const cases = [
    ['word "заказы"', (t) => repo.words(filters, t, 21, 0, marks), 'заказы'],
    ['prefix "достав*"', (t) => repo.words(filters, t, 21, 0, marks), 'достав*'],
    ['phrase "\\"статус заказа\\""', (t) => repo.words(filters, t, 21, 0, marks), '"статус заказа"'],
    ['typo fallback "Навосибирск"', (t) => repo.similar(filters, plainWords(t).join(' '), t, 21, 0), 'Навосибирск'],
  ];
  console.log(`EXPLAIN (ANALYZE, BUFFERS) as user ${member.username} (member of ${member.chats} chats)\n`);
  for (const [title, build, q] of cases) {
    captured.length = 0;
    await build(parseSearchQuery(q));
    await db.query('BEGIN');
    try {
      for (const { sql, params } of captured.slice(0, -1)) await db.query(sql, params);
      const last = captured[captured.length - 1];
      const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${last.sql}`, last.params);
      console.log(`### ${title}\n\n\`\`\`\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
    } finally {
      await db.query('ROLLBACK');
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

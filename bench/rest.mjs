#!/usr/bin/env node
// REST read paths at 1,000,000 messages: seeds (or reuses) the performance data set, starts the built app
// (`backend/dist`, ROLE=api) on it, and measures two requests every client makes all the time, each from 50
// concurrent clients as random members: `GET /api/v1/chats` (the first page of the chat list) and a history page
// `GET /api/v1/chats/:id/messages?before=<seq>&limit=50` at a random point of one of the member's chats.
// Prints p50/p90/p99 per request, the machine's load and CPU steal during each phase, and with --explain the
// EXPLAIN (ANALYZE, BUFFERS) of the statements the app's repositories run for each (captured from backend/dist).
//
//   pnpm bench:rest [--clients 50] [--rate R] [--seconds 20] [--warmup 3] [--explain] [--cpu-prof] [--app PATH] [--database-url URL]
//   (--rate: the clients together ask R times a second instead of each asking again as soon as it is answered)
//   (--app: another build's backend/dist/main.js, e.g. an older commit's, measured the same way)
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineTicks, nodeFlagsFromEnv, serviceCpu, cpuDelta, startServer } from './lib/infra.mjs';
import { DEFAULT_SEED_URL, seed } from './seed.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const backendRequire = createRequire(join(root, 'backend', 'package.json'));
const pg = backendRequire('pg');
const jwt = createRequire(import.meta.url)('jsonwebtoken');

const P99_TARGET_MS = 50;

const USAGE = `usage: node bench/rest.mjs [options]   (pnpm bench:rest builds the backend first)
  --clients N        concurrent clients per request kind (50)
  --seconds S        measured seconds per request kind (20)
  --warmup S         unmeasured seconds before each (3)
  --rate R           the clients together ask R times a second (0: each asks again as soon as it is answered)
  --explain          print EXPLAIN (ANALYZE, BUFFERS) of the statements behind each request
  --cpu-prof         write a CPU profile of the server to the log folder
  --app PATH         measure another build's backend/dist/main.js
  --database-url URL the seeded data set (BENCH_SEED_DATABASE_URL, default ${DEFAULT_SEED_URL})
`;
const HISTORY_PAGE = 50;

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : '—');
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A GET over a pool of kept-alive connections, one per client. `fetch` costs the generator several times more CPU
 * per request, and on two shared cores every millisecond the generator spends is one the server waits for.
 */
function getJson(agent, url, token) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let body = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          // A non-JSON answer is reported as an error by the caller's check.
        }
        resolve({ status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      explain: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      app: { type: 'string' },
      rate: { type: 'string', default: '0' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const clients = Number(values.clients);
  // 0: each client asks again as soon as it is answered (closed loop). R > 0: the clients together ask R times a
  // second, each on its own schedule, like people using the app rather than a load tester.
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const databaseUrl = values['database-url'] ?? process.env.BENCH_SEED_DATABASE_URL ?? DEFAULT_SEED_URL;
  const database = new URL(databaseUrl).pathname.slice(1);

  const data = await seed({ databaseUrl });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  // 1,000 random members, each with one of their chats that has history, so both requests spread over the data set.
  const { rows: members } = await db.query(
    `SELECT DISTINCT ON (u.id) u.id, u.username, c.id AS chat_id, c.last_message_seq AS last_seq,
            (SELECT count(*) FROM chat_members x WHERE x.user_id = u.id)::int AS chats
     FROM (SELECT id, username FROM users ORDER BY random() LIMIT 1000) u
     JOIN chat_members cm ON cm.user_id = u.id JOIN chats c ON c.id = cm.chat_id AND c.last_message_seq > 1
     ORDER BY u.id, random()`,
  );
  const avgChats = members.reduce((a, m) => a + m.chats, 0) / members.length;
  const avgSeq = members.reduce((a, m) => a + m.last_seq, 0) / members.length;

  if (values.explain) await explainAll(db, members[0]);

  const secret = randomBytes(32).toString('hex');
  const logDir = mkdtempSync(join(tmpdir(), 'messenger-bench-rest-'));
  const server = await startServer({
    name: 'ours',
    script: values.app ?? join(root, 'backend', 'dist', 'main.js'),
    cwd: values.app ? join(dirname(values.app), '..') : join(root, 'backend'),
    logDir,
    probeScript: join(here, 'lib', 'probe.cjs'),
    nodeFlags: [...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`] : []), ...nodeFlagsFromEnv('ours')],
    env: {
      NODE_ENV: 'production',
      ROLE: 'api',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: '20',
      JWT_SECRET: secret,
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      REDIS_PREFIX: `brest${randomBytes(3).toString('hex')}`,
      DATA_DIR: logDir,
    },
  });
  const users = members.map((m) => ({ ...m, token: jwt.sign({ sub: m.id, username: m.username, role: 'user' }, secret, { algorithm: 'HS256', expiresIn: 3600 }) }));

  const requests = {
    chats: (u) => ({ path: '/api/v1/chats', check: (body) => Array.isArray(body.items) && body.items.length > 0 }),
    history: (u) => {
      // A page that ends somewhere in the chat: before is 2..last_seq+1, so at least one message is older.
      const before = 2 + Math.floor(Math.random() * u.last_seq);
      return { path: `/api/v1/chats/${u.chat_id}/messages?before=${before}&limit=${HISTORY_PAGE}`, check: (body) => Array.isArray(body.items) && body.items.length > 0 };
    },
  };

  console.log(
    `rest bench: ${data.messages} messages, ${members.length} sampled members (in ${avgChats.toFixed(1)} chats each on average, ` +
      `history chats of ${avgSeq.toFixed(0)} messages on average), ${clients} clients ${rate > 0 ? `asking ${rate} times a second together` : 'in a closed loop'}, ` +
      `${warmup} s warm-up + ${seconds} s per request`,
  );
  const results = [];
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  for (const [name, build] of Object.entries(requests)) {
    const samples = [];
    let errors = 0;
    let recording = false;
    let stop = false;
    const client = async () => {
      // Paced clients start at a random phase; a request's latency counts from when it was due, so a slow answer
      // that delays the next request is charged to the server rather than hidden by the wait.
      const interval = rate > 0 ? (clients / rate) * 1000 : 0;
      let due = performance.now() + Math.random() * interval;
      let measured = false;
      while (!stop) {
        if (recording && !measured) {
          // A backlog left by the warm-up (a cold server) is not carried into the measured window.
          measured = true;
          due = Math.max(due, performance.now() + Math.random() * interval);
        }
        if (interval > 0) {
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          if (stop) break;
        }
        const u = pick(users);
        const { path, check } = build(u);
        const started = interval > 0 ? due : performance.now();
        due += interval;
        const { ok, status, body } = await getJson(agent, `${server.url}${path}`, u.token);
        const ms = performance.now() - started;
        if (!ok || !check(body)) {
          errors++;
          if (errors < 3) console.error(`${name}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
          continue;
        }
        if (recording) samples.push(ms);
      }
    };
    const loops = Array.from({ length: clients }, client);
    await sleep(warmup * 1000);
    const load0 = loadavg();
    const ticks0 = machineTicks();
    const pg0 = serviceCpu(database);
    const app0 = server.cpuMs();
    const gen0 = process.cpuUsage();
    recording = true;
    await sleep(seconds * 1000);
    recording = false;
    const ticks1 = machineTicks();
    const pg1 = serviceCpu(database);
    const app1 = server.cpuMs();
    const gen1 = process.cpuUsage(gen0);
    const load1 = loadavg();
    stop = true;
    await Promise.all(loops);
    const total = ticks1.total - ticks0.total;
    samples.sort((a, b) => a - b);
    results.push({
      name,
      n: samples.length,
      errors,
      p50: percentile(samples, 0.5),
      p90: percentile(samples, 0.9),
      p99: percentile(samples, 0.99),
      max: samples[samples.length - 1],
      busy: (100 * (ticks1.busy - ticks0.busy)) / total,
      steal: (100 * (ticks1.steal - ticks0.steal)) / total,
      load: `${load0[0].toFixed(2)} → ${load1[0].toFixed(2)}`,
      appCpu: (app1 - app0) / Math.max(1, samples.length),
      pgCpu: cpuDelta(pg0.pg, pg1.pg) / Math.max(1, samples.length),
      genCpu: (gen1.user + gen1.system) / 1000 / Math.max(1, samples.length),
    });
  }

  console.log(
    `\n${'request'.padEnd(8)} ${'n'.padStart(6)} ${'req/s'.padStart(6)} ${'err'.padStart(4)} ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ` +
      `${'max ms'.padStart(7)} ${'app cpu/req'.padStart(11)} ${'pg cpu/req'.padStart(10)} ${'gen cpu/req'.padStart(11)} ${'busy/steal'.padStart(11)}  load`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(8)} ${String(r.n).padStart(6)} ${(r.n / seconds).toFixed(0).padStart(6)} ${String(r.errors).padStart(4)} ${fmt(r.p50).padStart(7)} ${fmt(r.p90).padStart(7)} ` +
        `${fmt(r.p99).padStart(7)} ${fmt(r.max).padStart(7)} ${`${r.appCpu.toFixed(2)} ms`.padStart(11)} ${`${r.pgCpu.toFixed(2)} ms`.padStart(10)} ${`${r.genCpu.toFixed(2)} ms`.padStart(11)} ` +
        `${`${r.busy.toFixed(0)}/${r.steal.toFixed(1)} %`.padStart(11)}  ${r.load}`,
    );
  }
  for (const r of results) console.log(`${r.name} p99 ${fmt(r.p99)} ms against the ${P99_TARGET_MS} ms target: ${r.p99 <= P99_TARGET_MS ? 'met' : 'MISSED'}`);
  agent.destroy();
  await server.stop();
  await db.end();
  if (values['cpu-prof']) console.log(`server CPU profile in ${logDir} (summarise with: node bench/profile-top.mjs <file> 40)`);
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statement each request runs (one each), built by the app's own repositories
 * (from backend/dist) as ChatService.list and MessageService.list call them, captured by a data source that records
 * each statement and answers it from the real database.
 */
async function explainAll(db, member) {
  const { ChatRepository } = backendRequire('./dist/repositories/chat.repository.js');
  const { MessageRepository } = backendRequire('./dist/repositories/message.repository.js');
  const { CHAT_PAGE_DEFAULT } = backendRequire('./dist/schemas/chat.dto.js');
  const captured = [];
  const answer = async (sql, params) => {
    captured.push({ sql, params });
    // The repositories alias their columns themselves, so raw pg rows are what TypeORM would hand them.
    return (await db.query(sql, params)).rows;
  };
  // The hot reads go to a pooled connection as named statements; the rest through DataSource.query.
  const pooled = { query: async ({ text, values }) => ({ rows: await answer(text, values) }), release() {} };
  const recorder = { query: answer, driver: { master: { connect: async () => pooled } } };
  const chats = new ChatRepository(recorder);
  const messages = new MessageRepository(recorder);
  const before = Math.max(2, Math.floor(member.last_seq / 2));
  const cases = [
    [`GET /chats as ${member.username} (member of ${member.chats} chats)`, () => chats.listForUser(member.id, { limit: CHAT_PAGE_DEFAULT + 1 })],
    [`GET /chats/:id/messages?before=${before}&limit=${HISTORY_PAGE} (a chat of ${member.last_seq} messages)`, () =>
      messages.list(member.chat_id, { limit: HISTORY_PAGE, before, memberId: member.id })],
  ];
  for (const [title, run] of cases) {
    captured.length = 0;
    await run();
    console.log(`### ${title}\n`);
    for (const { sql, params } of captured) {
      const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      console.log(`\`\`\`\n${sql.replace(/\s+/g, ' ').trim().slice(0, 400)}\n\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
    }
  }
}

main().catch((error) => {
  if (error?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    process.stderr.write(`bench:rest: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});

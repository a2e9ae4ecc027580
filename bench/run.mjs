#!/usr/bin/env node
// Realtime benchmark: the app as `pnpm start` runs it against a raw socket.io + pg baseline, on the same
// fresh database and Redis, interleaved step by step. See bench/README.md for what each column means.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cpuDelta, createDatabase, machineTicks, nodeFlagsFromEnv, serviceCpu, sleep, startServer } from './lib/infra.mjs';
import { LoadGenerator } from './lib/loadgen.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { capacityOf, fmt, header, line, p99Comparison, summarizeStep } from './lib/report.mjs';
import { seed } from './lib/seed.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (msg = '') => process.stdout.write(`${msg}\n`);
const now = () => performance.timeOrigin + performance.now();
/** The connection-scale phase passes when every client connected and each holds at most this much heap (KB). */
const HEAP_KB_PER_CONNECTION_LIMIT = 11;

let opts;
try {
  opts = parseOptions();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
if (opts.help) {
  say(USAGE);
  process.exit(0);
}

const appMain = opts.app ? resolve(opts.app) : join(root, 'backend', 'dist', 'main.js');
if (!existsSync(appMain)) {
  process.stderr.write(`${appMain} is missing: build the app first (pnpm build), or run pnpm bench which does.\n`);
  process.exit(2);
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = randomBytes(3).toString('hex');
const jwtSecret = randomBytes(48).toString('base64url');
const logDir = mkdtempSync(join(tmpdir(), 'messenger-bench-'));
const targets = []; // { name, code, server, rows, stopped, idleHeap, connected }
const cleanups = [];
let dbName = '';

async function cleanup() {
  for (const fn of cleanups.reverse()) await fn().catch((e) => say(`cleanup: ${e.message}`));
  cleanups.length = 0;
}
process.on('SIGINT', () => {
  say('\ninterrupted, cleaning up');
  cleanup().finally(() => process.exit(130));
});

async function main() {
  const users = Math.ceil(Math.max(opts.clients, opts.scaleClients) / opts.group) * opts.group;
  say(`realtime bench ${runId}: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
  say(
    `  ${opts.clients} clients in ${opts.chats} chats of ${opts.group}, steps ${opts.steps.join(', ')} msg/s, ` +
      `${opts.warmup} s warm-up + ${opts.duration} s measured each, ${opts.workers} generator threads, pool ${opts.pool}`,
  );
  say(`  server logs: ${logDir}`);
  const idle0 = machineTicks();
  await sleep(1000);
  const idle1 = machineTicks();
  const busyBefore = ((idle1.busy - idle0.busy) / (idle1.total - idle0.total)) * 100;
  say(`  host CPU busy before start: ${busyBefore.toFixed(0)} %${busyBefore > 20 ? ' — something else is running; figures will be noisy' : ''}`);

  const db = await createDatabase(adminUrl);
  dbName = db.name;
  cleanups.push(() => db.drop());
  const sql = new pg.Client({ connectionString: db.url });
  const redis = new Redis(redisUrl, { lazyConnect: true });
  cleanups.push(async () => {
    await sql.end().catch(() => undefined);
    await redis.connect().catch(() => undefined);
    // Everything both servers wrote to Redis carries this run's prefix.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `bench-${runId}-*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  });

  const common = { DATABASE_URL: db.url, DATABASE_POOL_MAX: String(opts.pool), REDIS_URL: redisUrl, JWT_SECRET: jwtSecret };
  const probeScript = join(root, 'bench', 'lib', 'probe.cjs');
  const wantOurs = opts.only !== 'baseline';
  const wantBaseline = opts.only !== 'ours';

  // Ours starts first: its start-up runs the migrations that the baseline and the seed rely on.
  const ours = await startServer({
    name: 'ours',
    script: appMain,
    nodeFlags: [
      ...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`, '--cpu-prof-name=ours.cpuprofile'] : []),
      ...nodeFlagsFromEnv('ours'),
    ],
    cwd: root,
    logDir,
    probeScript,
    env: {
      ...common,
      NODE_ENV: 'production',
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      REDIS_PREFIX: `bench-${runId}-ours`,
      LOG_LEVEL: 'warn',
      RATE_MESSAGES: '1000000000',
      DATA_DIR: join(logDir, 'data'),
      SHUTDOWN_GRACE_MS: '2000',
    },
  });
  cleanups.push(() => ours.stop());
  say(`  ours: node ${relative(root, appMain)}, pid ${ours.pid}, ${ours.url}`);

  await sql.connect();
  const seeded = await seed(db.url, { users, groupSize: opts.group, jwtSecret });
  say(`  seeded ${users} users in ${users / opts.group} group chats`);

  const baseline = await startServer({
    name: 'baseline',
    script: join(root, 'bench', 'baseline', 'server.mjs'),
    nodeFlags: [
      ...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`, '--cpu-prof-name=baseline.cpuprofile'] : []),
      ...nodeFlagsFromEnv('baseline'),
    ],
    cwd: join(root, 'bench'),
    logDir,
    probeScript,
    env: { ...common, REDIS_PREFIX: `bench-${runId}-base` },
  });
  cleanups.push(() => baseline.stop());
  say(`  baseline: node bench/baseline/server.mjs, pid ${baseline.pid}, ${baseline.url}`);

  if (wantBaseline) targets.push({ name: 'baseline', code: 'b', server: baseline, rows: [], stopped: false });
  if (wantOurs) targets.push({ name: 'ours', code: 'o', server: ours, rows: [], stopped: false });
  const gen = new LoadGenerator({ users: seeded, workers: opts.workers, bodyBytes: opts.bodyBytes });
  cleanups.push(() => gen.close());

  for (const t of targets) {
    t.idleHeap = (await t.server.memory()).heapUsed;
    const c = await gen.connect(t.name, t.server.url, opts.clients);
    t.connected = c.connected;
    say(`  ${t.name}: ${c.connected}/${opts.clients} clients connected in ${(c.ms / 1000).toFixed(1)} s${c.failed ? `, errors ${JSON.stringify(c.errors)}` : ''}`);
    if (c.connected < opts.clients) {
      t.stopped = true;
      t.broken = `only ${c.connected}/${opts.clients} clients could connect: ${JSON.stringify(c.errors)}`;
    }
  }

  say('\nthroughput: every message fans out to a group of ' + opts.group);
  say(header());
  for (const [index, rate] of opts.steps.entries()) {
    for (const t of targets) {
      if (t.stopped) continue;
      let row = await runStep(t, rate, index, sql, gen);
      say(line(row));
      // A failed step is re-run once, and once more if the hypervisor stole more than 10 % of the CPU during
      // the re-run: on a shared 2-core VM a neighbour's burst can sink a single step of either server.
      for (let attempt = 2; !row.pass && !opts.smoke && t.server.alive && (attempt === 2 || row.stealPct > 10) && attempt <= 3; attempt++) {
        const again = await runStep(t, rate, `${index}r${attempt}`, sql, gen);
        say(`${line(again)} (attempt ${attempt})`);
        row = again.pass ? again : { ...again, attempts: attempt };
      }
      t.rows.push(row);
      if (!row.pass && !opts.keepGoing && !opts.smoke) t.stopped = true;
      if (!t.server.alive) {
        t.stopped = true;
        t.broken = `the server process exited; see ${t.server.logFile}`;
      }
    }
  }
  for (const t of targets) await gen.disconnect(t.name);

  const scale = {};
  if (opts.scaleClients > 0) {
    say(`\nconnection scale: ${opts.scaleClients} connected idle clients`);
    await sleep(2000);
    for (const t of targets) {
      if (t.broken) continue;
      scale[t.name] = await scalePhase(t, gen);
      await gen.disconnect(t.name);
      await sleep(2000);
    }
  }

  return verdict(scale);
}

async function runStep(t, rate, index, sql, gen) {
  // A checkpoint now, so neither side pays for one the other side's writes made due.
  await sql.query('CHECKPOINT');
  await sleep(500);
  const tag = `${t.code}${index}`;
  const warmupMs = opts.warmup * 1000;
  const measureMs = opts.duration * 1000;
  const startAt = now() + 200;
  const measureStart = startAt + warmupMs;
  const measureEnd = measureStart + measureMs;
  const readings = {};
  const take = () => ({ cpu: t.server.cpuMs(), ticks: machineTicks(), gen: process.cpuUsage(), services: serviceCpu(dbName) });
  const at = (time, key) =>
    new Promise((resolve) =>
      setTimeout(() => {
        readings[key] = take();
        // Starts the server's event-loop delay histogram afresh for the measured window.
        t.server.memory({ gc: false, reset: true }).then(
          (m) => resolve((readings[`${key}Loop`] = m.eventLoop)),
          () => resolve(),
        );
      }, Math.max(0, time - now())),
    );
  const windows = Promise.all([at(measureStart, 'start'), at(measureEnd, 'end')]);
  const pgStats = async () =>
    (
      await sql.query(
        `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()) AS xacts,
                (SELECT json_object_agg(relname, json_build_array(seq_scan, idx_scan, n_tup_ins, n_tup_upd)) FROM pg_stat_user_tables) AS tables`,
      )
    ).rows[0];
  const pgBefore = process.env.BENCH_PG_STATS ? await pgStats() : null;
  const ackTimeoutMs = 10_000;
  await gen.step({ target: t.name, tag, rate, senders: opts.clients, warmupMs, measureMs, startAt, ackTimeoutMs });
  await windows;

  // Drain: every ack resolves within its timeout; then give deliveries a moment to land.
  const drainDeadline = now() + ackTimeoutMs + 5000;
  let settledAt = null;
  for (;;) {
    const c = await gen.counts();
    const done = c.pending === 0 && c.received >= c.ackOk * opts.group;
    if (done) break;
    if (c.pending === 0) settledAt ??= now();
    if (now() > drainDeadline || (settledAt && now() - settledAt > 3000)) break;
    await sleep(100);
  }
  const stats = await gen.stats();
  if (pgBefore) {
    // Diagnostics: what each server asked of PostgreSQL per message in this step (statistics lag by ~0.5 s).
    await sleep(800);
    const after = await pgStats();
    const perMsg = (n) => (n / Math.max(1, stats.sent)).toFixed(2);
    const tables = Object.entries(after.tables)
      .map(([name, [seq, idx, ins, upd]]) => {
        const [seq0, idx0, ins0, upd0] = pgBefore.tables[name] ?? [0, 0, 0, 0];
        return [name, seq - seq0, idx - idx0, ins - ins0, upd - upd0];
      })
      .filter(([, ...d]) => d.some((x) => x > 0))
      .map(([name, ...d]) => `${name} ${d.map(perMsg).join('/')}`);
    say(`    pg per message (${t.name}): ${perMsg(after.xacts - pgBefore.xacts)} transactions; seq/idx scans, ins/upd rows: ${tables.join(', ')}`);
  }
  const { rows } = await sql.query(`SELECT count(*)::int AS n FROM messages WHERE client_id LIKE $1`, [`${tag}m-%`]);
  const memory = await t.server.memory();
  // The reading at the window's start reset the histogram, so the one at its end covers exactly the window.
  const eventLoop = readings.endLoop;
  const { start, end } = readings;
  const genCpu = (end.gen.user + end.gen.system - start.gen.user - start.gen.system) / 1000;
  return summarizeStep(
    {
      ...stats,
      target: t.name,
      persisted: rows[0].n,
      memory,
      eventLoop,
      idleHeap: t.idleHeap,
      connections: t.connected,
      cpuMs: end.cpu - start.cpu,
      machineBusyPct: ((end.ticks.busy - start.ticks.busy) / (end.ticks.total - start.ticks.total)) * 100,
      stealPct: ((end.ticks.steal - start.ticks.steal) / (end.ticks.total - start.ticks.total)) * 100,
      generatorCpuPct: (genCpu / measureMs) * 100,
      pgCpuPct: (cpuDelta(start.services.pg, end.services.pg) / measureMs) * 100,
      redisCpuPct: (cpuDelta(start.services.redis, end.services.redis) / measureMs) * 100,
    },
    { rate, groupSize: opts.group, measureMs, p99LimitMs: opts.p99LimitMs },
  );
}

async function scalePhase(t, gen) {
  const snapshotOf = (n) => (process.env.BENCH_HEAP_SNAPSHOT ? join(logDir, `${t.name}-${n}-clients.heapsnapshot`) : undefined);
  const before = await t.server.memory({ snapshot: snapshotOf(0) });
  const c = await gen.connect(t.name, t.server.url, opts.scaleClients, 25);
  await sleep(3000);
  const after = await t.server.memory({ snapshot: snapshotOf(opts.scaleClients) });
  if (process.env.BENCH_HEAP_SNAPSHOT) say(`  heap snapshots: ${snapshotOf(0)}, ${snapshotOf(opts.scaleClients)}`);
  const heapKb = c.connected ? (after.heapUsed - before.heapUsed) / 1024 / c.connected : null;
  const rssKb = c.connected ? (after.rss - before.rss) / 1024 / c.connected : null;
  const result = {
    connected: c.connected,
    failed: c.failed,
    heapKb,
    rssKb,
    heapMb: after.heapUsed / 2 ** 20,
    rssMb: after.rss / 2 ** 20,
    connectS: c.ms / 1000,
    pass: c.connected === opts.scaleClients && heapKb !== null && heapKb <= HEAP_KB_PER_CONNECTION_LIMIT,
  };
  say(
    `  ${t.name.padEnd(8)} ${c.connected}/${opts.scaleClients} connected in ${fmt(result.connectS)} s` +
      ` (${fmt(c.connected / result.connectS, 0)}/s)${c.failed ? ` errors ${JSON.stringify(c.errors)}` : ''};` +
      ` heap +${fmt(heapKb, 2)} KB/conn (total ${fmt(result.heapMb, 0)} MB), rss +${fmt(rssKb)} KB/conn (total ${fmt(result.rssMb, 0)} MB)` +
      ` -> ${result.pass ? 'ok' : `over ${HEAP_KB_PER_CONNECTION_LIMIT} KB or not all connected`}`,
  );
  return result;
}

function verdict(scale) {
  const byName = Object.fromEntries(targets.map((t) => [t.name, t]));
  say('\nsummary');
  for (const t of targets) {
    if (t.broken) say(`  ${t.name}: not measured — ${t.broken}`);
    else say(`  ${t.name}: capacity ${capacityOf(t.rows)} msg/s (highest step with p99 <= ${opts.p99LimitMs} ms, ack errors <= 0.1 %, 100 % delivered)`);
  }
  let failed = targets.some((t) => t.broken);
  if (opts.smoke) {
    // The smoke run judges only that everything sent was stored and delivered.
    for (const t of targets) {
      for (const r of t.rows) {
        if (r.received !== r.expected || r.expected === 0 || r.ackErrRate > 0) {
          failed = true;
          say(`  smoke: ${t.name} at ${r.rate}/s received ${r.received}/${r.expected}, ack errors ${r.ackErrRate}`);
        }
      }
      const s = scale[t.name];
      if (s && s.connected !== opts.scaleClients) {
        failed = true;
        say(`  smoke: ${t.name} connected ${s.connected}/${opts.scaleClients} idle clients`);
      }
    }
    say(failed ? 'smoke: FAILED' : 'smoke: ok');
  }
  const o = byName.ours;
  const b = byName.baseline;
  if (o && b && !o.broken && !b.broken) {
    const capO = capacityOf(o.rows);
    const capB = capacityOf(b.rows);
    const p99 = p99Comparison(o.rows, b.rows);
    if (p99) {
      say(
        `  p99 send->receive at ${p99.rate} msg/s${p99.bothPassed ? ' (highest step both passed)' : ' (no step passed by both)'}: ` +
          `ours ${fmt(p99.ours.e2eP99)} ms, baseline ${fmt(p99.baseline.e2eP99)} ms`,
      );
    }
    if (scale.ours && scale.baseline) say(`  heap per idle connection: ours ${fmt(scale.ours.heapKb, 2)} KB, baseline ${fmt(scale.baseline.heapKb, 2)} KB (target <= ${HEAP_KB_PER_CONNECTION_LIMIT} KB)`);
    say(`capacity ratio ours/baseline: ${capacityRatio(capO, capB, Math.min(...b.rows.map((r) => r.rate)))}`);
    say(`p99 ratio ours/baseline: ${p99 ? p99.ratio.toFixed(2) : 'n/a'}`);
  } else {
    say('capacity ratio ours/baseline: n/a (both servers must be measured)');
    say('p99 ratio ours/baseline: n/a (both servers must be measured)');
  }
  return failed ? 1 : 0;
}

/**
 * A baseline that passed no step has a capacity below the lowest rate it ran, so the ratio is then a lower bound
 * ("> X"), not a number to divide by zero.
 */
function capacityRatio(ours, baseline, lowestBaselineRate) {
  if (baseline > 0) return (ours / baseline).toFixed(2);
  if (ours > 0) return `> ${(ours / lowestBaselineRate).toFixed(2)} (the baseline passed no step: its capacity is below ${lowestBaselineRate} msg/s)`;
  return 'n/a (neither passed a step)';
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    await cleanup();
    process.exit(1);
  });

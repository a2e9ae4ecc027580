#!/usr/bin/env node
// The fault-injection suite: its own PostgreSQL, Redis and object storage, two API instances and a worker of the
// built app, a recorded socket.io load, faults injected scenario by scenario (one file each under scenarios/),
// and the checker's verdict with counts; for scenario 5 also the backend's fake Telegram. `--quick`: shorter
// scenarios 1–3 and 5 (CI). `--only=2,3`: some scenarios.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppProcess, loadAverage, Postgres, RedisServer, removeDir, tempDir } from './lib/cluster.mjs';
import { say } from './lib/harness.mjs';
import { FakeTelegramProcess } from './lib/telegram.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
if (quick) process.env.FAULTS_QUICK = '1';
const keep = args.includes('--keep');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',').map(Number);

const PARAMS = quick
  ? { clients: 100, rate: 40, kills: 2, betweenKillsMs: 3000, outageMs: 10_000, uploads: 5, warmupMs: 3000, settleMs: 2000, drainMs: 60_000, rebuildTimeoutMs: 60_000, outbound: { bots: 2, customers: 20, rounds: 5, kills: 2 } }
  : { clients: 500, rate: 200, kills: 5, betweenKillsMs: 6000, outageMs: 60_000, uploads: 20, warmupMs: 5000, settleMs: 3000, drainMs: 120_000, rebuildTimeoutMs: 90_000, outbound: { bots: 4, customers: 25, rounds: 10, kills: 3 } };

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function main() {
  const main = join(root, 'backend', 'dist', 'main.js');
  if (!existsSync(main) || newestMtime(join(root, 'backend', 'src')) > statSync(main).mtimeMs) {
    say('building the backend (dist is missing or older than src)');
    execFileSync('pnpm', ['--filter', '@messenger/backend', 'build'], { cwd: root, stdio: 'inherit' });
  }
  const scenarios = [];
  for (const file of readdirSync(join(root, 'faults', 'scenarios')).filter((f) => f.endsWith('.mjs')).sort()) {
    scenarios.push((await import(pathToFileURL(join(root, 'faults', 'scenarios', file)).href)).default);
  }
  const chosen = scenarios.filter((s) => (only ? only.includes(s.id) : quick ? s.quick : true));

  const dir = tempDir();
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  say(`fault suite${quick ? ' (quick)' : ''}: ${cpus().length} cores, load average ${loadAverage()}, node ${process.version}; files in ${dir}`);
  say(`scenarios: ${chosen.map((s) => s.id).join(', ')}; ${PARAMS.clients} clients, ${PARAMS.rate} msg/s`);

  const cleanups = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    cleanups.length = 0;
  };
  process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  const results = [];
  try {
    const pg = await Postgres.create(dir);
    cleanups.push(() => pg.stop());
    const redis = await RedisServer.create(dir);
    cleanups.push(() => redis.kill('SIGKILL'));
    // The app's own S3-compatible server (s3rver), shared by every process so the worker reads what the API stored.
    const require = createRequire(join(root, 'backend', 'package.json'));
    const { startEmbeddedStorage } = require(join(root, 'backend', 'dist', 'core', 'embedded.js'));
    mkdirSync(join(dir, 's3'));
    const s3 = await startEmbeddedStorage(join(dir, 's3'), () => undefined);
    cleanups.push(() => s3.stop());
    say(`PostgreSQL ${pg.bin} on :${pg.port}, redis-server on :${redis.port}, object storage ${s3.storage.endpoint}`);
    let telegram = null;
    if (chosen.some((s) => s.needs?.includes('telegram'))) {
      telegram = new FakeTelegramProcess({ root, logDir });
      await telegram.start();
      cleanups.push(() => telegram.stop());
      say(`fake Telegram Bot API on ${telegram.url}`);
    }

    const jwtSecret = randomBytes(48).toString('base64url');
    const redisPrefix = 'faults';
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: pg.url,
      DATABASE_POOL_MAX: '10',
      REDIS_URL: redis.url,
      REDIS_PREFIX: redisPrefix,
      JWT_SECRET: jwtSecret,
      S3_ENDPOINT: s3.storage.endpoint,
      S3_ACCESS_KEY: s3.storage.accessKey,
      S3_SECRET_KEY: s3.storage.secretKey,
      SHUTDOWN_GRACE_MS: '5000',
      JOB_SWEEP_INTERVAL_SECONDS: '2',
      RATE_MESSAGES: '100000',
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // Webhooks are registered at this placeholder; the suite posts the fake's updates to an instance itself.
      PUBLIC_URL: 'https://messenger.example.test',
      ...(telegram ? { TELEGRAM_API_URL: telegram.url } : {}),
    };
    const app = (name, role) => new AppProcess({ name, main, env: { ...env, ROLE: role, DATA_DIR: join(dir, name) }, logDir });
    const apis = [app('api1', 'api'), app('api2', 'api')];
    const worker = app('worker', 'worker');
    // The first instance migrates the fresh database; the others start once it has.
    await apis[0].start();
    await Promise.all([apis[1].start(), worker.start()]);
    cleanups.push(async () => Promise.all([...apis, worker].map((a) => a.kill('SIGKILL'))));
    const ctx = { params: PARAMS, dir, databaseUrl: pg.url, jwtSecret, redisPrefix, pg, redis, apis, worker, telegram };

    for (const scenario of chosen) {
      say(`\n=== scenario ${scenario.id}: ${scenario.title}`);
      const began = Date.now();
      let result;
      try {
        result = await scenario.run(ctx);
      } catch (error) {
        say(`  FAIL: ${error.stack ?? error.message}`);
        result = { ok: false, row: { faults: scenario.title, operations: '–', lost: '–', duplicated: '–', gaps: '–', recovery: `error: ${error.message.split('\n')[0]}` } };
      }
      say(`  verdict: ${result.ok ? 'PASS' : 'FAIL'} (${((Date.now() - began) / 1000).toFixed(0)} s, load average ${loadAverage()})`);
      results.push({ id: scenario.id, ...result });
      // Whatever a scenario left broken is brought back for the next one.
      if (!(await pg.ready())) await pg.start().catch(() => undefined);
      if (!(await redis.ping())) await redis.start().catch(() => undefined);
      for (const a of [...apis, worker]) if (!a.alive) await a.start().catch(() => undefined);
    }
  } finally {
    await cleanup();
    if (!keep && results.every((r) => r.ok)) removeDir(dir);
    else say(`\nhistories and logs kept in ${dir}`);
  }

  say('\n| # | faults injected | operations | lost | duplicated | gaps | recovery | verdict |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    say(`| ${r.id} | ${r.row.faults} | ${r.row.operations} | ${r.row.lost} | ${r.row.duplicated} | ${r.row.gaps} | ${r.row.recovery} | ${r.ok ? 'pass' : 'FAIL'} |`);
  }
  say(`\nload average at the end: ${loadAverage()}`);
  const failed = results.filter((r) => !r.ok).length;
  say(failed ? `${failed} scenario(s) failed` : 'all scenarios passed');
  process.exit(failed || results.length === 0 ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});

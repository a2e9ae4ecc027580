// Everything outside the load generator: the bench database, the measured server processes, and the
// readings taken from them (/proc CPU time, the memory probe).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh database on the local server; `drop()` removes it even while connections remain. */
export async function createDatabase(adminUrl) {
  const name = `msg_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
    /** Leaves the database for a later look (a bench's --keep). */
    async keep() {
      await admin.end().catch(() => undefined);
    },
  };
}

const CLK_TCK = 100; // Linux USER_HZ; /proc reports CPU time in these ticks on every mainstream kernel.

/** User + system CPU time of a process (all its threads) in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Busy, stolen and total jiffies of the whole machine, for "how saturated were the 2 cores". */
export function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  // Steal: time the hypervisor gave our vCPUs to someone else; it stalls every process here alike.
  return { busy: total - idle, steal: cpu[7] ?? 0, total };
}

/**
 * CPU ms per process of the PostgreSQL backends serving `database` (their process title names it) and
 * of redis-server: where the rest of the machine goes. Diff two readings with `cpuDelta`.
 */
export function serviceCpu(database) {
  const pg = {};
  const redis = {};
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres:') && cmd.includes(` ${database} `)) pg[pid] = processCpuMs(pid);
      else if (cmd.startsWith('redis-server')) redis[pid] = processCpuMs(pid);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return { pg, redis };
}

/** Sum of per-process growth; a process that appeared in between counts from zero. */
export function cpuDelta(before, after) {
  let sum = 0;
  for (const [pid, ms] of Object.entries(after)) sum += ms - (before[pid] ?? 0);
  return sum;
}

async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Extra node flags for one measured server from BENCH_<NAME>_NODE_FLAGS (diagnostics only, e.g. --trace-gc, whose
 * output lands in that server's log).
 */
export function nodeFlagsFromEnv(name) {
  return (process.env[`BENCH_${name.toUpperCase()}_NODE_FLAGS`] ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Starts a server as a child process with the memory probe preloaded, waits until `healthPath` answers
 * 200, and keeps its output in a log file for when something goes wrong.
 */
export async function startServer({ name, script, args = [], nodeFlags = [], env, cwd, logDir, probeScript, readyTimeoutMs = 60_000 }) {
  const port = await freePort();
  const probePort = await freePort();
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--expose-gc', '-r', probeScript, ...nodeFlags, script, ...args], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', BENCH_PROBE_PORT: String(probePort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await httpOk(`${url}/health`))) {
    if (exited) throw new Error(`${name} exited during start-up (${JSON.stringify(exited)}); see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer ${url}/health within ${readyTimeoutMs / 1000} s; see ${logFile}`);
    }
    await sleep(200);
  }
  return {
    name,
    url,
    pid: child.pid,
    logFile,
    get alive() {
      return exited === null;
    },
    cpuMs: () => processCpuMs(child.pid),
    async memory({ gc = true, snapshot, reset = false } = {}) {
      const query = new URLSearchParams(gc ? { gc: '1' } : {});
      if (reset) query.set('reset', '1');
      if (snapshot) query.set('snapshot', snapshot);
      const res = await fetch(`http://127.0.0.1:${probePort}/probe?${query}`, { signal: AbortSignal.timeout(120_000) });
      return res.json();
    },
    async stop(timeoutMs = 15_000) {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exitPromise;
      clearTimeout(timer);
      return result;
    },
  };
}

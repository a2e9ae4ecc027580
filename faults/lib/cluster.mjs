// The system under test, all of it owned by the suite: a PostgreSQL cluster made with initdb in a temp folder, a
// redis-server, an S3-compatible server, and the built app as separate processes (two API instances, one worker).
// Everything listens on free ports, so killing any of it touches nothing else on the machine.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
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

export async function waitFor(what, probe, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => false);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** User + system CPU seconds of a process, from /proc (clock ticks of 1/100 s). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssMiB(pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** The newest PostgreSQL server binaries installed the Debian way, or from PG_BIN. */
export function findPgBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install postgresql, or set PG_BIN)');
  return join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root: when the suite runs as root the cluster belongs to the `postgres` user. */
function runAs() {
  if (process.getuid?.() !== 0) return {};
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  const user = passwd.find((f) => f[0] === 'postgres') ?? passwd.find((f) => f[0] === 'nobody');
  if (!user) throw new Error('running as root needs a postgres (or nobody) user to own the test cluster');
  return { uid: Number(user[2]), gid: Number(user[3]) };
}

export class Postgres {
  constructor(dir, port) {
    this.bin = findPgBin();
    this.dir = dir;
    this.data = join(dir, 'pgdata');
    this.port = port;
    this.owner = runAs();
    this.url = `postgres://postgres@127.0.0.1:${port}/messenger`;
  }

  static async create(baseDir) {
    const dir = join(baseDir, 'pg');
    mkdirSync(dir, { recursive: true });
    const db = new Postgres(dir, await freePort());
    if (db.owner.uid !== undefined) chownSync(dir, db.owner.uid, db.owner.gid);
    await db.exec('initdb', ['-D', db.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    try {
      await db.start();
    } catch (error) {
      await db.stop();
      throw error;
    }
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${db.port}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE messenger');
    await admin.end();
    return db;
  }

  /** Asynchronous, so the load keeps running while pg_ctl waits; the server's output goes to its log file, never to our pipes. */
  async exec(tool, args) {
    const { stdout } = await promisify(execFile)(join(this.bin, tool), args, { ...this.owner, cwd: this.dir, timeout: 180_000 });
    return stdout;
  }

  get serverOptions() {
    return ['-l', join(this.dir, 'server.log'), '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c max_connections=200`];
  }

  async start() {
    await this.exec('pg_ctl', ['-D', this.data, ...this.serverOptions, '-w', '-t', '120', 'start']);
    await waitFor('PostgreSQL to accept connections', () => this.ready(), 60_000);
  }

  async ready() {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres`, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  restartFast() {
    return this.exec('pg_ctl', ['-D', this.data, ...this.serverOptions, '-m', 'fast', '-w', '-t', '120', 'restart']);
  }

  postmasterPid() {
    return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /**
   * SIGKILL of the postmaster, as a crash would. Its backends are orphaned and still hold the shared memory, so
   * they are killed too (by their ids, read before the kill) — otherwise the next start refuses to run.
   */
  killPostmaster() {
    const pid = this.postmasterPid();
    const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    });
    process.kill(pid, 'SIGKILL');
    for (const child of children) {
      try {
        process.kill(Number(child), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async stop() {
    try {
      await this.exec('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
    } catch {
      // not running
    }
  }
}

export class RedisServer {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.child = null;
  }

  static async create(baseDir) {
    const dir = join(baseDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const redis = new RedisServer(dir, await freePort());
    await redis.start();
    return redis;
  }

  async start() {
    // No persistence: a restart or a crash loses every key, the harshest case for the jobs.
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', this.dir], {
      stdio: 'ignore',
    });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    await waitFor('redis-server to answer', () => this.ping(), 15_000);
  }

  ping() {
    return new Promise((resolve) => {
      const socket = createConnectionSafe(this.port);
      let buffer = '';
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (d) => {
        buffer += d.toString();
        if (buffer.includes('PONG')) {
          socket.destroy();
          resolve(true);
        }
      });
      socket.on('error', () => resolve(false));
      setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 1000).unref();
    });
  }

  command(line) {
    return new Promise((resolve, reject) => {
      const socket = createConnectionSafe(this.port);
      socket.on('connect', () => socket.write(`${line}\r\n`));
      socket.on('data', (d) => {
        socket.destroy();
        resolve(d.toString().trim());
      });
      socket.on('error', reject);
    });
  }

  async kill(signal) {
    this.child.kill(signal);
    await this.exited;
  }
}

function createConnectionSafe(port) {
  return createConnection({ host: '127.0.0.1', port });
}

/** One process of the built app (`backend/dist/main.js`), its output kept in a log file. */
export class AppProcess {
  constructor({ name, main, env, logDir }) {
    this.name = name;
    this.main = main;
    this.env = env;
    this.logDir = logDir;
    this.child = null;
    this.port = null;
    this.starts = 0;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid() {
    return this.child?.pid;
  }

  async start({ timeoutMs = 90_000 } = {}) {
    this.port ??= await freePort();
    this.starts++;
    const log = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: 'a' });
    log.write(`\n--- start ${this.starts} at ${new Date().toISOString()}\n`);
    this.child = spawn(process.execPath, [this.main], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = this.child;
    let output = '';
    child.stdout.on('data', (d) => {
      log.write(d);
      if (output.length < 20_000) output += d.toString();
    });
    child.stderr.on('data', (d) => {
      log.write(d);
      if (output.length < 20_000) output += d.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const ready = this.env.ROLE === 'worker' ? async () => output.includes('worker started') : () => this.healthy();
    await waitFor(`${this.name} to start (log: ${join(this.logDir, `${this.name}.log`)})`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited during start-up:\n${output.slice(-3000)}`);
      return ready();
    }, timeoutMs, 200).catch((error) => {
      child.kill('SIGKILL');
      throw error;
    });
  }

  async healthy() {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async healthStatus() {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(3000) });
      return res.status;
    } catch {
      return 0;
    }
  }

  async kill(signal = 'SIGKILL') {
    if (!this.alive) return;
    this.child.kill(signal);
    return this.exited;
  }
}

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'messenger-faults-'));
  if (process.getuid?.() === 0) execFileSync('chmod', ['755', dir]);
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

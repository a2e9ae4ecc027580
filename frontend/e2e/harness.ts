import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const frontendDir = resolve(import.meta.dirname, '..');
export const rootDir = resolve(frontendDir, '..');
export const artifactsDir = join(frontendDir, 'e2e-artifacts');

const freePort = () =>
  new Promise<number>((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => ok(port));
    });
  });

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds what `pnpm start` builds when it is missing or older than its sources (the root test runner has
 * usually just built both; E2E_REBUILD=1 forces it).
 */
/** A fake provider (backend/test/fakes/cli.ts) in its own process on a free port, driven over its /_fake control routes. */
export async function startFake(kind: 'telegram' | 'avito' | 'llm', extraEnv: Record<string, string> = {}): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(join(rootDir, 'backend', 'node_modules', '.bin', 'tsx'), ['test/fakes/cli.ts', kind], {
    cwd: join(rootDir, 'backend'),
    env: { ...process.env, [`FAKE_${kind.toUpperCase()}_PORT`]: String(port), ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the fake ${kind} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/_fake`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the fake ${kind} did not start within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: () => void child.kill('SIGTERM') };
}

export function ensureBuilt(): void {
  // npm runs the package script as pnpm would, without pnpm's start-up registry check of its own version,
  // which fails now and then on this network.
  const build = (dir: string) => {
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: dir, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (r.status !== 0) throw new Error(`building ${dir} failed`);
  };
  const stale = (out: string, ...sources: string[]) =>
    process.env.E2E_REBUILD === '1' || !existsSync(out) || statSync(out).mtimeMs < Math.max(...sources.map((s) => (statSync(s).isDirectory() ? newestMtime(s) : statSync(s).mtimeMs)));
  const spaSources = [join(frontendDir, 'src'), join(frontendDir, 'index.html'), join(frontendDir, 'public'), join(rootDir, 'openapi', 'src')];
  if (stale(join(frontendDir, 'dist', 'index.html'), ...spaSources)) build(frontendDir);
  else if (stale(join(frontendDir, 'widget', 'dist', 'widget.js'), join(frontendDir, 'widget', 'src'))) {
    const r = spawnSync('npm', ['run', '--silent', 'build:widget'], { cwd: frontendDir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('building widget.js failed');
  }
  if (stale(join(rootDir, 'backend', 'dist', 'main.js'), join(rootDir, 'backend', 'src'))) build(join(rootDir, 'backend'));
}

export interface RunningApp {
  url: string;
  port: number;
  /** The run's own database, for fixtures too large to create through the API in test time. */
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * Runs the app exactly as `pnpm start` does (node backend/dist/main.js serving frontend/dist), against a fresh
 * database on the real PostgreSQL, dropped afterwards, and the real Redis under its own key prefix.
 */
export async function startApp(extraEnv: (port: number) => Record<string, string> = () => ({})): Promise<RunningApp> {
  const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `msg_spa_e2e_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'msg-spa-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [join(rootDir, 'backend', 'dist', 'main.js')], {
    cwd: rootDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      // The app's own origin: the embedded storage allows browser uploads (CORS) from it only.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `spa${randomBytes(4).toString('hex')}`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      RATE_REGISTER: '100000',
      RATE_LOGIN_FAILURES: '100000',
      // The 10,000-message history is seeded through the API by one person.
      RATE_MESSAGES: '1000000',
      SHUTDOWN_GRACE_MS: '500',
      ...extraEnv(port),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('the app did not become healthy within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    databaseUrl: dbUrl.toString(),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP relay in front of the app that can cut every connection through it and refuse new ones, as a
 * dropped network would, then let them through again.
 */
export class DropProxy {
  private server: Server;
  private sockets = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const forget = () => {
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
      client.pipe(upstream).pipe(client);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  drop(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}


const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserHandle {
  browser: Browser;
  newContext(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Debian's Chromium (or CHROMIUM_PATH), headless; Playwright gives it a fresh temporary profile. Nothing is downloaded. */
export async function launchBrowser(): Promise<BrowserHandle> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  mkdirSync(artifactsDir, { recursive: true });
  return {
    browser,
    newContext: (options) => browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 }, ...options }),
    close: () => browser.close(),
  };
}

/** A person the browser tests sign up through the page, as someone would. */
export interface Person {
  username: string;
  displayName: string;
  password: string;
}
export const alice: Person = { username: 'alice', displayName: 'Alice Liddell', password: 'alice-password-1' };
export const bob: Person = { username: 'bob', displayName: 'Bob Builder', password: 'bob-password-1' };

export const log = (page: Page) => page.getByRole('log');
export const chatsNav = (page: Page) => page.getByRole('navigation', { name: 'Chats' });

export async function signUp(page: Page, baseUrl: string, who: Person) {
  await page.goto(`${baseUrl}/login`);
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.getByLabel('Email', { exact: true }).fill(`${who.username}@example.test`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Display name').fill(who.displayName);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await chatsNav(page).waitFor();
}

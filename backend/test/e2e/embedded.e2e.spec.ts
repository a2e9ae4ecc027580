import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@/core/embedded';
import { anonymous, authed, sdk, sentNow } from '../helpers/api';

const backendDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const repoRoot = resolve(backendDir, '..');
const mainJs = join(backendDir, 'dist', 'main.js');

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** `pnpm start` as a user runs it: no DATABASE_URL, so PostgreSQL is PGlite under DATA_DIR; Redis is the local one. */
async function startMain(dataDir: string, redisPrefix: string): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  let output = '';
  const child = spawn(process.execPath, [mainJs], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`main.js exited with ${child.exitCode}:\n${output}`);
    const health = await sdk.getHealth({ client: anonymous(url) }).catch(() => null);
    if (health?.response?.status === 200) return { child, url, output: () => output };
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`main.js did not become healthy within 90 s:\n${output}`);
}

async function stop(running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise<void>((done) => running.child.once('exit', () => done()));
  running.child.kill(signal);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

describe('embedded mode: node dist/main.js without DATABASE_URL', () => {
  let dataDir: string;
  const prefix = `emb${randomBytes(4).toString('hex')}`;
  const running: Running[] = [];

  beforeAll(() => {
    // Built once when missing; a fresh checkout has no dist yet.
    if (!existsSync(mainJs)) execFileSync('pnpm', ['--filter', '@messenger/backend', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    dataDir = mkdtempSync(join(tmpdir(), 'msg-pglite-'));
  }, 300_000);

  afterAll(async () => {
    for (const r of running) await stop(r, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the API on PGlite and keeps the data across a restart', { timeout: 240_000 }, async () => {
    const first = await startMain(dataDir, prefix);
    running.push(first);
    expect(existsSync(join(dataDir, 'pg'))).toBe(true);

    const username = `emb${randomBytes(4).toString('hex')}`;
    const password = 'embedded-password';
    const registered = await sdk.register({
      client: anonymous(first.url),
      body: { email: `${username}@example.test`, username, password },
      throwOnError: true,
    });
    const client = authed(first.url, registered.data.accessToken);
    const chat = await sdk.createChat({ client, body: { type: 'group', title: 'Embedded', memberIds: [] }, throwOnError: true });
    const sent = await sdk.sendMessage({ client, path: { chatId: chat.data.id }, body: { clientId: 'e1', body: 'survives restarts' }, throwOnError: true });
    expect(sentNow(sent.data).seq).toBe(1);
    // A repeated clientId goes through the unique-violation path inside PGlite too.
    const again = await sdk.sendMessage({ client, path: { chatId: chat.data.id }, body: { clientId: 'e1', body: 'survives restarts' }, throwOnError: true });
    expect(again.data.id).toBe(sent.data.id);
    const listed = await sdk.listMessages({ client, path: { chatId: chat.data.id }, throwOnError: true });
    expect(listed.data.items.map((m) => m.body)).toEqual(['survives restarts']);

    await stop(first);
    expect(first.child.exitCode === 0 || first.child.signalCode === 'SIGTERM').toBe(true);
    // The generated secret is kept beside the data, so sessions outlive the restart.
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').length).toBeGreaterThan(32);

    const second = await startMain(dataDir, prefix);
    running.push(second);
    const stillSignedIn = await sdk.listMessages({ client: authed(second.url, registered.data.accessToken), path: { chatId: chat.data.id } });
    expect(stillSignedIn.response.status).toBe(200);

    const login = await sdk.login({ client: anonymous(second.url), body: { login: username, password }, throwOnError: true });
    const client2 = authed(second.url, login.data.accessToken);
    const chats = await sdk.listChats({ client: client2, throwOnError: true });
    expect(chats.data.items.map((c) => c.title)).toEqual(['Embedded']);
    expect(chats.data.items[0].lastMessage).toMatchObject({ seq: 1, body: 'survives restarts' });
    const next = await sdk.sendMessage({ client: client2, path: { chatId: chat.data.id }, body: { clientId: 'e2', body: 'after restart' }, throwOnError: true });
    expect(sentNow(next.data).seq).toBe(2);
    await stop(second);
  });
});

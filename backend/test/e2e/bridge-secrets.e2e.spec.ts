import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/core/embedded';
import { startFakeAvito, type FakeAvito } from '../fakes/avito';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram';
import { anonymous, registerUser, sdk } from '../helpers/api';
import { TEST_JWT_SECRET } from '../helpers/app';
import { eventually } from '../helpers/bridge';

const repoRoot = join(__dirname, '..', '..', '..');
const mainJs = join(repoRoot, 'backend', 'dist', 'main.js');
const key = () => randomBytes(32).toString('base64');

/** Every row of every table of the database as text, to search for a secret in plain text. */
async function databaseText(db: Client): Promise<string> {
  const tables = (await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename as string);
  let text = '';
  for (const table of tables) text += (await db.query(`SELECT t::text AS row FROM "${table}" t`)).rows.map((r) => r.row).join('\n');
  return text;
}

/** The real process (node dist/main.js) at the most talkative log level, its whole output kept. */
async function startMain(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, [mainJs], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'trace', JWT_SECRET: TEST_JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`main.js exited:\n${output}`);
    return (await sdk.getHealth({ client: anonymous(url) }).catch(() => null))?.response?.status === 200;
  }, 90_000, 'the app to be healthy');
  return { child, url, output: () => output };
}

describe('secrets at rest (e2e, the built app as a process)', () => {
  let db: Client;
  let telegram: FakeTelegram;
  let avito: FakeAvito;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(mainJs)) execFileSync('pnpm', ['--filter', '@messenger/backend', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    db = new Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    [telegram, avito] = await Promise.all([startFakeTelegram(), startFakeAvito()]);
  }, 300_000);
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db?.end();
    await telegram?.close();
    await avito?.close();
  });

  it('no bot token, client secret, webhook secret or Avito access token appears in plain text in the database or the logs; old keys still open after a rotation', async () => {
    const port = await freePort();
    const firstKey = key();
    const env = {
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `sec${randomBytes(4).toString('hex')}`,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TELEGRAM_API_URL: telegram.url,
      AVITO_API_URL: avito.url,
      BRIDGE_ENCRYPTION_KEY: firstKey,
      BRIDGE_STARTUP_CHECK: 'false',
    };
    const app = await startMain(env, port);
    children.push(app.child);
    const admin = await registerUser(app.url);
    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);

    const bot = telegram.addBot();
    const account = avito.addAccount();
    const tg = (await sdk.createChannel({ client: admin.client, body: { type: 'telegram', name: 'Secret bot', botToken: bot.token }, throwOnError: true })).data;
    const av = (await sdk.createChannel({ client: admin.client, body: { type: 'avito', name: 'Secret account', clientId: account.clientId, clientSecret: account.clientSecret }, throwOnError: true })).data;
    const tgSecret = bot.webhook!.secretToken!;
    const avSecret = account.webhooks[0].split('/').pop()!;

    // Traffic that logs request lines: good and bad webhooks, a wrong credential, a sync that takes an Avito token.
    await bot.deliver(bot.update('text', { text: 'hello' }));
    await bot.deliver(bot.update('text', { text: 'bad' }), { secretToken: 'wrong' });
    const chatId = account.addChat({ customerName: 'Buyer' });
    await account.customerMessage(chatId, { text: 'hi' });
    await sdk.createChannel({ client: admin.client, body: { type: 'telegram', name: 'x', botToken: `${bot.id}:not-the-token` } });
    account.expireTokens(401);
    await sdk.syncChannel({ client: admin.client, path: { id: av.id }, throwOnError: true });
    await eventually(async () => account.tokensIssued >= 3, 60_000, 'a renewed Avito token');
    const tokens = account.calls.filter((c) => c.token).map((c) => c.token!);

    const secrets = [bot.token, account.clientSecret, tgSecret, avSecret, ...new Set(tokens)];
    const stored = await databaseText(db);
    await new Promise((r) => setTimeout(r, 500));
    const logs = app.output();
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of secrets) {
      expect(stored.includes(secret), `a secret is stored in plain text`).toBe(false);
      expect(logs.includes(secret), `a secret is in the logs: ${logs.split("\n").find((l) => l.includes(secret))?.replace(secret, "<SECRET>")}`).toBe(false);
    }
    const sealed = (await db.query(`SELECT credentials_sealed FROM channels WHERE id = $1`, [tg.id])).rows[0].credentials_sealed as string;
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+$/);

    // Rotation: a new key, the old one kept for reading; the start-up job seals everything again with the new key.
    app.child.kill('SIGTERM');
    await new Promise((r) => app.child.once('exit', r));
    const rotated = await startMain({ ...env, BRIDGE_ENCRYPTION_KEY: key(), BRIDGE_ENCRYPTION_KEYS_OLD: firstKey }, port);
    children.push(rotated.child);
    await eventually(async () => {
      const row = (await db.query(`SELECT credentials_sealed, webhook_secret_sealed FROM channels WHERE id = $1`, [av.id])).rows[0];
      return row.credentials_sealed.split('.')[1] !== sealed.split('.')[1] && row.webhook_secret_sealed.split('.')[1] !== sealed.split('.')[1];
    }, 60_000, 're-encryption with the new key');
    // The re-sealed secrets still work: a webhook authenticates and the Avito credentials take a token.
    expect((await bot.deliver(bot.update('text', { text: 'after rotation' }))).status).toBe(200);
    expect((await sdk.syncChannel({ client: admin.client, path: { id: av.id } })).response.status).toBe(202);
    const issued = account.tokensIssued;
    account.expireTokens(401);
    await sdk.syncChannel({ client: admin.client, path: { id: av.id }, throwOnError: true });
    await eventually(async () => account.tokensIssued > issued, 60_000, 'a token with the re-sealed credentials');
    for (const secret of secrets) expect(rotated.output().includes(secret)).toBe(false);
    // Two starts of the real process: generous on a loaded machine.
  }, 240_000);
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anonymous, registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

const run = promisify(execFile);

/** Roles need an empty installation, so this file runs on a database of its own. */
describe('roles (e2e, own database)', () => {
  let admin: Client;
  let app: TestApp;
  let databaseUrl: string;
  const name = `msg_roles_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const base = new URL(inject('databaseUrl'));
    admin = new Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    base.pathname = `/${name}`;
    databaseUrl = base.toString();
    app = await startApp({ DATABASE_URL: databaseUrl });
  });
  afterAll(async () => {
    await app?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  let first: TestUser;
  let someone: TestUser;

  it('the first account of an empty installation becomes admin, even when two sign up at once; later ones are users', async () => {
    const pair = await Promise.all([registerUser(app.url), registerUser(app.url)]);
    const roles = await Promise.all(pair.map(async (u) => (await sdk.getMe({ client: u.client, throwOnError: true })).data.role));
    expect([...roles].sort()).toEqual(['admin', 'user']);
    first = pair[roles.indexOf('admin')];
    someone = pair[roles.indexOf('user')];
    const later = await registerUser(app.url);
    expect((await sdk.getMe({ client: later.client, throwOnError: true })).data.role).toBe('user');
  });

  it('admins list accounts and change roles; others get 403; an admin cannot demote themselves', async () => {
    expect((await sdk.adminListUsers({ client: anonymous(app.url) })).response.status).toBe(401);
    const list = await sdk.adminListUsers({ client: first.client, throwOnError: true });
    expect(list.data.total).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(list.data)).not.toMatch(/password|argon2/);

    expect((await sdk.adminListUsers({ client: someone.client })).response.status).toBe(403);
    expect((await sdk.adminSetUserRole({ client: someone.client, path: { id: someone.id }, body: { role: 'admin' } })).response.status).toBe(403);

    const promoted = await sdk.adminSetUserRole({ client: first.client, path: { id: someone.id }, body: { role: 'operator' } });
    expect(promoted.data?.role).toBe('operator');
    const bad = await sdk.adminSetUserRole({ client: first.client, path: { id: someone.id }, body: { role: 'root' as never } });
    expect(bad.response.status).toBe(400);
    expect(JSON.stringify(bad.error)).toContain('role');
    expect((await sdk.adminSetUserRole({ client: first.client, path: { id: first.id }, body: { role: 'user' } })).response.status).toBe(400);

    // Rights are read from the database: a demoted admin loses them with the same access token.
    const second = await sdk.adminSetUserRole({ client: first.client, path: { id: someone.id }, body: { role: 'admin' } });
    expect(second.data?.role).toBe('admin');
    await sdk.adminSetUserRole({ client: someone.client, path: { id: first.id }, body: { role: 'user' }, throwOnError: true });
    expect((await sdk.adminListUsers({ client: first.client })).response.status).toBe(403);
  });

  it('the command line gives a role back to a locked-out account', async () => {
    const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
    expect(existsSync(cli), 'build the backend first (pnpm build)').toBe(true);
    const locked = await registerUser(app.url);
    const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: inject('redisUrl'), NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    const { stdout } = await run('node', [cli, 'user:role', locked.username, 'admin'], { env });
    expect(stdout).toContain(`${locked.username} is now admin`);
    expect((await sdk.adminListUsers({ client: locked.client })).response.status).toBe(200);
    const wrong = await run('node', [cli, 'user:role', locked.username, 'emperor'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(wrong).toMatchObject({ code: 1 });
    expect((wrong as { stderr: string }).stderr).toContain('role must be one of');
  });
});

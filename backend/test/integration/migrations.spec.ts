import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dataSourceOptions } from '@/core/database/data-source';
import { runMigrations } from '@/core/database/migrate';
import { migrations } from '@/core/database/migrations';

describe('migrations at start-up', () => {
  const runUrl = new URL(inject('databaseUrl'));
  const name = `msg_migrate_${randomBytes(4).toString('hex')}`;
  const freshUrl = new URL(runUrl);
  freshUrl.pathname = `/${name}`;
  const admin = new Client({ connectionString: runUrl.toString() });
  const sources: DataSource[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  const open = async () => {
    const source = new DataSource(dataSourceOptions(freshUrl.toString(), 2));
    sources.push(source);
    return source.initialize();
  };

  it('applies every migration once when three instances migrate the same fresh database at once', async () => {
    const instances = await Promise.all([open(), open(), open()]);
    const applied = await Promise.all(instances.map((source) => runMigrations(source)));

    const expected = migrations.map((m) => new m().name ?? m.name);
    // Exactly one instance did the work; the others waited for the lock and found nothing pending.
    expect(applied.filter((names) => names.length > 0)).toEqual([expected]);
    expect(applied.filter((names) => names.length === 0)).toHaveLength(2);

    const recorded: Array<{ name: string }> = await instances[0].query('SELECT name FROM migrations ORDER BY id');
    expect(recorded.map((r) => r.name)).toEqual(expected);
    const tables: Array<{ table_name: string }> = await instances[0].query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['chat_members', 'chats', 'messages', 'refresh_tokens', 'users']));
  });

  it('is a no-op on a database that is already up to date', async () => {
    const source = await open();
    expect(await runMigrations(source)).toEqual([]);
  });

  it('releases the lock, so a later start is not blocked', async () => {
    const source = await open();
    const [{ locked }]: Array<{ locked: boolean }> = await source.query(
      `SELECT count(*) > 0 AS locked FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
      [name],
    );
    expect(locked).toBe(false);
  });
});

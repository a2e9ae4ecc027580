import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { dataSourceOptions } from '../../src/core/database/data-source';
import { runMigrations } from '../../src/core/database/migrate';
import { startEmbeddedStorage } from '../../src/core/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    /** A real S3-compatible server (s3rver) for the run, with its credentials. */
    s3: { endpoint: string; accessKey: string; secretKey: string };
  }
}

/**
 * Integration tier: one fresh database per run on the real PostgreSQL (DATABASE_URL, or the local
 * server), migrated once and dropped at the end; the real Redis with a per-app key prefix.
 */
export default async function setup(project: TestProject) {
  const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const name = `msg_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl.toString() });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`Tests need PostgreSQL at ${adminUrl.host} (set DATABASE_URL): ${(error as Error).message}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  const testUrl = new URL(adminUrl);
  testUrl.pathname = `/${name}`;

  const dataSource = new DataSource(dataSourceOptions(testUrl.toString(), 2));
  await dataSource.initialize();
  await runMigrations(dataSource);
  // The first account of an empty installation becomes admin; the shared run database starts with one already,
  // so accounts the tests register are plain users (the first-admin rule is tested on a database of its own).
  await dataSource.query(
    `INSERT INTO users (email, username, display_name, password_hash, role) VALUES ('owner@example.test', 'run-owner', 'Run owner', '!', 'admin')`,
  );
  await dataSource.destroy();

  const s3Dir = mkdtempSync(join(tmpdir(), 'msg-test-s3-'));
  const s3 = await startEmbeddedStorage(s3Dir, () => undefined);

  project.provide('databaseUrl', testUrl.toString());
  project.provide('redisUrl', redisUrl);
  project.provide('s3', s3.storage);

  return async () => {
    await s3.stop();
    rmSync(s3Dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
}

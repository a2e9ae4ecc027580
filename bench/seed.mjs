#!/usr/bin/env node
// Seeds a database with the performance data set: 5,000 users, 10,000 chats (half direct, half groups of 3–8),
// 1,000,000 messages of Russian and English everyday text spread over a year. Server-side generate_series, not the
// API, so it runs in minutes. The schema comes from the app's own migrations (backend/dist, built by `pnpm build`).
//
//   node bench/seed.mjs [--database-url URL] [--users 5000] [--chats 10000] [--messages 1000000] [--fresh]
//
// Re-running against a database that already holds the requested data is a no-op (use --fresh to rebuild).
// Every seeded user's password is `bench-password`; usernames are u1…u5000.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHAT_TITLES, EN_FRAGMENTS, FIRST_NAMES, LAST_NAMES, RU_FRAGMENTS } from './lib/corpus.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const backendRequire = createRequire(join(root, 'backend', 'package.json'));
const pg = backendRequire('pg');

export const DEFAULT_SEED_URL = 'postgres://postgres@127.0.0.1:5432/msg_bench_1m';

export async function seed(options = {}) {
  const url = options.databaseUrl ?? process.env.BENCH_SEED_DATABASE_URL ?? DEFAULT_SEED_URL;
  const users = options.users ?? 5000;
  const chats = options.chats ?? 10000;
  const messages = options.messages ?? 1_000_000;
  const log = options.log ?? ((line) => console.log(line));
  const perChat = Math.ceil(messages / chats);

  await ensureDatabase(url, options.fresh);
  await migrate(url);

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query('SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM messages)::int AS messages');
    if (rows[0].users >= users && rows[0].messages >= perChat * chats) {
      log(`seed: ${url} already holds ${rows[0].users} users and ${rows[0].messages} messages`);
      return { url, users, chats, messages: rows[0].messages };
    }
    if (rows[0].users > 0) throw new Error(`seed: ${url} holds a partial data set; run with --fresh`);
    const started = Date.now();
    const step = async (what, sql, params = []) => {
      const t = Date.now();
      await db.query(sql, params);
      log(`seed: ${what} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    };
    await db.query(`SET maintenance_work_mem = '512MB'`);
    await db.query('SELECT setseed(0.42)');
    const argon2 = backendRequire('argon2');
    const hash = await argon2.hash('bench-password', { type: argon2.argon2id, memoryCost: 19456, timeCost: 2 });

    await step(
      `${users} users`,
      `INSERT INTO users (email, username, display_name, password_hash)
       SELECT 'u' || i || '@bench.test', 'u' || i, ($2::text[])[1 + i % array_length($2, 1)] || ' ' || ($3::text[])[1 + (i / 7) % array_length($3, 1)], $4
       FROM generate_series(1, $1::int) AS i`,
      [users, FIRST_NAMES, LAST_NAMES, hash],
    );
    await db.query(`CREATE TEMP TABLE bench_users AS SELECT row_number() OVER (ORDER BY username COLLATE "C") - 1 AS n, id FROM users`);
    await db.query('CREATE UNIQUE INDEX ON bench_users (n)');
    // Chat c has members user[(c*37 + k*101) mod U] for k < size: distinct within a chat, spread over everyone.
    await db.query(
      `CREATE TEMP TABLE bench_chats AS
       SELECT c, gen_random_uuid() AS id, CASE WHEN c < $1::int / 2 THEN 2 ELSE 3 + c % 6 END AS size FROM generate_series(0, $1::int - 1) AS c`,
      [chats],
    );
    await db.query(
      `CREATE TEMP TABLE bench_members AS
       SELECT bc.c, bc.id AS chat_id, k, bu.id AS user_id
       FROM bench_chats bc CROSS JOIN LATERAL generate_series(0, bc.size - 1) AS k JOIN bench_users bu ON bu.n = (bc.c * 37 + k * 101) % $1::int`,
      [users],
    );
    await db.query('CREATE INDEX ON bench_members (c, k)');
    await step(
      `${chats} chats`,
      `INSERT INTO chats (id, type, title, created_by, direct_key, last_message_seq, last_message_at, created_at)
       SELECT bc.id, CASE WHEN bc.size = 2 THEN 'direct' ELSE 'group' END,
              CASE WHEN bc.size = 2 THEN NULL ELSE ($2::text[])[1 + bc.c % array_length($2, 1)] || ' ' || bc.c END,
              m0.user_id,
              CASE WHEN bc.size = 2 THEN least(m0.user_id::text, m1.user_id::text) || ':' || greatest(m0.user_id::text, m1.user_id::text) END,
              $1::int, now(), now() - interval '400 days'
       FROM bench_chats bc JOIN bench_members m0 ON m0.c = bc.c AND m0.k = 0 JOIN bench_members m1 ON m1.c = bc.c AND m1.k = 1`,
      [perChat, CHAT_TITLES],
    );
    await step(
      'memberships',
      `INSERT INTO chat_members (chat_id, user_id, role, joined_at, last_read_seq)
       SELECT chat_id, user_id, CASE WHEN k = 0 THEN 'owner' ELSE 'member' END, now() - interval '400 days', $1::int - (k % 3) FROM bench_members`,
      [perChat],
    );

    // Bulk-loading into live GIN indexes is several times slower than building them once afterwards.
    const { rows: indexes } = await db.query(
      `SELECT indexname, indexdef FROM pg_indexes i
       WHERE tablename = 'messages' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    );
    for (const index of indexes) await db.query(`DROP INDEX ${index.indexname}`);
    await step(
      `${perChat * chats} messages (${perChat} per chat)`,
      `INSERT INTO messages (chat_id, seq, sender_id, body, created_at)
       SELECT bc.id, s.seq, m.user_id,
              CASE WHEN random() < 0.65
                THEN ($2::text[])[1 + floor(random() * array_length($2, 1))::int]
                     || CASE WHEN random() < 0.45 THEN ' ' || ($2::text[])[1 + floor(random() * array_length($2, 1))::int] ELSE '' END
                     || CASE WHEN random() < 0.15 THEN ' ' || ($2::text[])[1 + floor(random() * array_length($2, 1))::int] ELSE '' END
                ELSE ($3::text[])[1 + floor(random() * array_length($3, 1))::int]
                     || CASE WHEN random() < 0.45 THEN ' ' || ($3::text[])[1 + floor(random() * array_length($3, 1))::int] ELSE '' END
              END,
              now() - interval '365 days' + (s.seq::float8 / $1::int) * interval '365 days' + (bc.c % 1000) * interval '1 minute'
       FROM bench_chats bc CROSS JOIN generate_series(1, $1::int) AS s(seq)
       JOIN bench_members m ON m.c = bc.c AND m.k = (s.seq * 7 + bc.c) % bc.size`,
      [perChat, RU_FRAGMENTS, EN_FRAGMENTS],
    );
    for (const index of indexes) await step(`index ${index.indexname}`, index.indexdef);
    await step('chat previews', `UPDATE chats c SET last_message_at = m.created_at FROM messages m WHERE m.chat_id = c.id AND m.seq = c.last_message_seq`);
    await step('vacuum analyze', 'VACUUM ANALYZE');
    log(`seed: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { url, users, chats, messages: perChat * chats };
  } finally {
    await db.end();
  }
}

async function ensureDatabase(url, fresh) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const db = new pg.Client({ connectionString: admin.toString() });
  await db.connect();
  try {
    if (fresh) await db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    const { rows } = await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await db.query(`CREATE DATABASE "${name}"`);
  } finally {
    await db.end();
  }
}

async function migrate(url) {
  const { DataSource } = backendRequire('typeorm');
  const { dataSourceOptions } = backendRequire('./dist/core/database/data-source.js');
  const { runMigrations } = backendRequire('./dist/core/database/migrate.js');
  const dataSource = new DataSource({ ...dataSourceOptions(url, 2), logging: false });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      users: { type: 'string' },
      chats: { type: 'string' },
      messages: { type: 'string' },
      fresh: { type: 'boolean', default: false },
    },
  });
  seed({
    databaseUrl: values['database-url'],
    users: values.users ? Number(values.users) : undefined,
    chats: values.chats ? Number(values.chats) : undefined,
    messages: values.messages ? Number(values.messages) : undefined,
    fresh: values.fresh,
  }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

#!/usr/bin/env node
// Inbox statistics at scale: a fresh database with --threads inbox threads (default 100,000) over 5 channels,
// 4 messages each (customer, operator reply, customer, a note) and a resolved/reopened history, then the
// GET /api/v1/inbox/stats statement (total, per channel, per operator, per day) timed as the app runs it.
// Needs a built backend (`pnpm --filter @messenger/backend build`). See bench/README.md ("Inbox statistics").
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createDatabase } from './lib/infra.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const backendRequire = createRequire(join(root, 'backend', 'package.json'));
const { DataSource } = backendRequire('typeorm');
const { migrations } = backendRequire('./dist/core/database/migrations/index.js');
const { InboxStatsRepository } = backendRequire('./dist/modules/bridge/repositories/inbox-stats.repository.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const THREADS = arg('threads', 100_000);
const RUNS = arg('runs', 5);
const KEEP = process.argv.includes('--keep');
const say = (msg = '') => process.stdout.write(`${msg}\n`);

const db = await createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const ds = new DataSource({ type: 'postgres', url: db.url, migrations, logging: false });
try {
  await ds.initialize();
  await ds.runMigrations();
  const seeded = performance.now();
  await ds.query(`INSERT INTO users (id, email, username, display_name, password_hash)
    SELECT gen_random_uuid(), 'op' || i || '@bench.test', 'op' || i, 'Operator ' || i, 'x' FROM generate_series(1, 20) i`);
  await ds.query(`INSERT INTO channels (id, type, name, credentials_sealed, webhook_secret_sealed, webhook_secret_hash)
    SELECT gen_random_uuid(), 'telegram', 'Channel ' || i, 'x', 'x', repeat('0', 64) FROM generate_series(1, 5) i`);
  // Threads spread over the last 30 days; each gets a customer message, a reply 30 s–30 min later, a second
  // customer message and a note; 60 % are resolved, a tenth of those reopened.
  await ds.query(`
    CREATE TEMP TABLE seed AS
    SELECT gen_random_uuid() AS chat_id, gen_random_uuid() AS contact_id,
           (SELECT array_agg(id ORDER BY id) FROM channels)[1 + i % 5] AS channel_id,
           (SELECT array_agg(id ORDER BY id) FROM users)[1 + i % 20] AS operator_id,
           now() - (random() * interval '30 days') AS opened_at,
           interval '30 seconds' + random() * interval '30 minutes' AS reply_after, i
    FROM generate_series(1, ${THREADS}) i`);
  await ds.query(`INSERT INTO chats (id, type, title, last_message_seq, created_at) SELECT chat_id, 'inbox', 'Customer ' || i, 4, opened_at FROM seed`);
  await ds.query(`INSERT INTO contacts (id, channel_id, external_id, name) SELECT contact_id, channel_id, i::text, 'Customer ' || i FROM seed`);
  // The first-response facts are what the app records as the customer writes and the operator answers.
  await ds.query(`INSERT INTO inbox_threads (chat_id, channel_id, external_chat_id, contact_id, assignee_id, last_activity_at, created_at,
      first_customer_at, first_response_at, first_responder_id)
    SELECT chat_id, channel_id, i::text, contact_id, operator_id, opened_at + reply_after * 2, opened_at,
      opened_at, opened_at + reply_after, operator_id FROM seed`);
  await ds.query(`INSERT INTO messages (chat_id, seq, sender_id, sender_contact_id, body, internal, delivery, created_at)
    SELECT chat_id, 1, NULL, contact_id, 'hello', false, NULL, opened_at FROM seed
    UNION ALL SELECT chat_id, 2, operator_id, NULL, 'reply', false,
      jsonb_build_object('state', CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'sent' END, 'updatedAt', now()), opened_at + reply_after FROM seed
    UNION ALL SELECT chat_id, 3, NULL, contact_id, 'thanks', false, NULL, opened_at + reply_after * 2 FROM seed
    UNION ALL SELECT chat_id, 4, operator_id, NULL, 'note', true, NULL, opened_at + reply_after * 2 FROM seed`);
  await ds.query(`UPDATE inbox_threads SET status = 'resolved' WHERE chat_id IN (SELECT chat_id FROM seed WHERE i % 5 < 3)`);
  await ds.query(`UPDATE inbox_threads SET status = 'open' WHERE chat_id IN (SELECT chat_id FROM seed WHERE i % 50 = 0)`);
  await ds.query(`ANALYZE`);
  const counts = await ds.query(`SELECT (SELECT count(*) FROM inbox_threads)::int AS threads, (SELECT count(*) FROM messages)::int AS messages,
    (SELECT count(*) FROM thread_status_log)::int AS log`);
  say(`seeded ${counts[0].threads} threads, ${counts[0].messages} messages, ${counts[0].log} status-log rows in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

  const stats = new InboxStatsRepository(ds);
  const to = new Date();
  const periods = [
    ['7 days', new Date(to.getTime() - 7 * 86_400_000)],
    ['30 days', new Date(to.getTime() - 31 * 86_400_000)],
  ];
  const channel = (await ds.query(`SELECT id FROM channels ORDER BY id LIMIT 1`))[0].id;
  for (const [label, from] of periods) {
    for (const scope of [{ channelIds: null }, { channelIds: null, channelId: channel }]) {
      const times = [];
      let total;
      for (let r = 0; r < RUNS; r++) {
        const started = performance.now();
        const rows = await stats.figures({ from, to, ...scope });
        times.push(performance.now() - started);
        total = rows.find((r) => r.grouping === 'total');
      }
      times.sort((a, b) => a - b);
      say(
        `${label}, ${scope.channelId ? 'one channel' : 'all channels'}: whole response (every grouping, one statement) median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, ` +
          `min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms — opened ${total.opened}, resolved ${total.resolved}, ` +
          `first response median ${total.firstResponseMedianSeconds} s, p90 ${total.firstResponseP90Seconds} s`,
      );
    }
  }
} finally {
  await ds.destroy().catch(() => undefined);
  if (KEEP) {
    await db.keep();
    say(`kept database ${db.name}`);
  } else await db.drop();
}

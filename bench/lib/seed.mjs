// The deterministic data set: user i is `bench<i>` with an id derived from md5('bench-user-<i>'), and
// belongs to group chat floor(i / groupSize). Written straight to the migrated schema, so seeding 5,000 users takes a
// second instead of 5,000 argon2 hashes through the REST API.
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const userId = (i) => `pg_temp.bench_uuid('bench-user-' || ${i})`;
const chatId = (c) => `pg_temp.bench_uuid('bench-chat-' || ${c})`;

// md5 shaped into a well-formed version-4 UUID (version nibble 4, variant 10xx), which the API's
// UUID validation requires.
const BENCH_UUID = `CREATE FUNCTION pg_temp.bench_uuid(seed text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT (substr(h, 1, 12) || '4' || substr(h, 14, 3) || substr('89ab', get_byte(decode(substr(h, 17, 2), 'hex'), 0) % 4 + 1, 1) || substr(h, 18))::uuid
  FROM md5(seed) AS h $$`;

export async function seed(databaseUrl, { users, groupSize, jwtSecret }) {
  const chats = Math.ceil(users / groupSize);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(BENCH_UUID);
    await db.query('BEGIN');
    // '!' is not a valid argon2 hash, so these accounts cannot log in with any password.
    await db.query(
      `INSERT INTO users (id, email, username, display_name, password_hash)
       SELECT ${userId('i')}, 'bench' || i || '@bench.invalid', 'bench' || i, 'Bench user ' || i, '!'
       FROM generate_series(0, $1 - 1) AS i`,
      [users],
    );
    await db.query(
      `INSERT INTO chats (id, type, title, created_by)
       SELECT ${chatId('c')}, 'group', 'Bench chat ' || c, ${userId('c * $2')}
       FROM generate_series(0, $1 - 1) AS c`,
      [chats, groupSize],
    );
    await db.query(
      `INSERT INTO chat_members (chat_id, user_id, role)
       SELECT ${chatId('i / $2')}, ${userId('i')}, CASE WHEN i % $2 = 0 THEN 'owner' ELSE 'member' END
       FROM generate_series(0, $1 - 1) AS i`,
      [users, groupSize],
    );
    await db.query('COMMIT');
    await db.query('ANALYZE users; ANALYZE chats; ANALYZE chat_members');
    const { rows } = await db.query(
      `SELECT i, ${userId('i')}::text AS "userId", ${chatId('i / $2')}::text AS "chatId"
       FROM generate_series(0, $1 - 1) AS i ORDER BY i`,
      [users, groupSize],
    );
    return rows.map((r) => ({
      userId: r.userId,
      chatId: r.chatId,
      // Same claims and algorithm as the app's own access tokens; valid for the whole run.
      token: jwt.sign({ sub: r.userId, username: `bench${r.i}`, role: 'user' }, jwtSecret, {
        algorithm: 'HS256',
        expiresIn: '3h',
        jwtid: randomUUID(),
      }),
    }));
  } finally {
    await db.end();
  }
}

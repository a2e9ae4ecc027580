// The deterministic data set: user i is `bench<i>` with id md5('bench-user-<i>'), and belongs to group
// chat floor(i / groupSize). Written straight to the migrated schema, so seeding 5,000 users takes a
// second instead of 5,000 argon2 hashes through the REST API.
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const userId = (i) => `md5('bench-user-' || ${i})::uuid`;

export async function seed(databaseUrl, { users, groupSize, jwtSecret }) {
  const chats = Math.ceil(users / groupSize);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
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
       SELECT md5('bench-chat-' || c)::uuid, 'group', 'Bench chat ' || c, ${userId('c * $2')}
       FROM generate_series(0, $1 - 1) AS c`,
      [chats, groupSize],
    );
    await db.query(
      `INSERT INTO chat_members (chat_id, user_id, role)
       SELECT md5('bench-chat-' || (i / $2))::uuid, ${userId('i')}, CASE WHEN i % $2 = 0 THEN 'owner' ELSE 'member' END
       FROM generate_series(0, $1 - 1) AS i`,
      [users, groupSize],
    );
    await db.query('COMMIT');
    await db.query('ANALYZE users; ANALYZE chats; ANALYZE chat_members');
    const { rows } = await db.query(
      `SELECT i, ${userId('i')}::text AS "userId", md5('bench-chat-' || (i / $2))::uuid::text AS "chatId"
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

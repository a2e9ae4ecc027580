// Users and group chats written straight to the migrated schema (argon2 for 500 accounts would take minutes), with
// access tokens signed like the app's own. Ids derive from a per-scenario prefix, so scenarios never share a chat.
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const UUID_FN = `CREATE FUNCTION pg_temp.fault_uuid(seed text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT (substr(h, 1, 12) || '4' || substr(h, 14, 3) || substr('89ab', get_byte(decode(substr(h, 17, 2), 'hex'), 0) % 4 + 1, 1) || substr(h, 18))::uuid
  FROM md5(seed) AS h $$`;

export async function seedUsers(databaseUrl, { prefix, users, groupSize, jwtSecret }) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const uid = (i) => `pg_temp.fault_uuid('${prefix}-user-' || ${i})`;
  const cid = (c) => `pg_temp.fault_uuid('${prefix}-chat-' || ${c})`;
  try {
    await db.query(UUID_FN);
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO users (id, email, username, display_name, password_hash)
       SELECT ${uid('i')}, '${prefix}' || i || '@faults.invalid', '${prefix}' || i, 'Fault user ' || i, '!'
       FROM generate_series(0, $1 - 1) AS i`,
      [users],
    );
    await db.query(
      `INSERT INTO chats (id, type, title, created_by)
       SELECT ${cid('c')}, 'group', 'Fault chat ' || c, ${uid('c * $2')} FROM generate_series(0, $1 - 1) AS c`,
      [Math.ceil(users / groupSize), groupSize],
    );
    await db.query(
      `INSERT INTO chat_members (chat_id, user_id, role)
       SELECT ${cid('i / $2')}, ${uid('i')}, CASE WHEN i % $2 = 0 THEN 'owner' ELSE 'member' END FROM generate_series(0, $1 - 1) AS i`,
      [users, groupSize],
    );
    await db.query('COMMIT');
    const { rows } = await db.query(
      `SELECT i, ${uid('i')}::text AS "userId", ${cid('i / $2')}::text AS "chatId" FROM generate_series(0, $1 - 1) AS i ORDER BY i`,
      [users, groupSize],
    );
    return rows.map((r) => ({
      userId: r.userId,
      chatId: r.chatId,
      token: jwt.sign({ sub: r.userId, username: `${prefix}${r.i}`, role: 'user' }, jwtSecret, { algorithm: 'HS256', expiresIn: '3h', jwtid: randomUUID() }),
    }));
  } finally {
    await db.end();
  }
}

export async function messageRows(databaseUrl, chatIds) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT id, chat_id AS "chatId", seq::int AS seq, sender_id AS "senderId", client_id AS "clientId" FROM messages WHERE chat_id = ANY($1)`,
      [chatIds],
    );
    return rows;
  } finally {
    await db.end();
  }
}

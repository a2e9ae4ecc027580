// The raw baseline: plain socket.io + pg on the app's schema, doing the same work per send as the app
// (JWT at the handshake; membership check, seq, insert and read marker in one statement; ack; emit to
// every member's user room through the same Redis streams adapter). No framework, no ORM, no validation
// library, so the gap to the app is the price of the app's layers.
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { createServer } from 'node:http';
import pg from 'pg';
import { Server } from 'socket.io';

const env = process.env;
const prefix = env.REDIS_PREFIX ?? 'baseline';
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.DATABASE_POOL_MAX ?? 20) });
const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
redis.on('error', () => undefined);

// Same statement as MessageRepository.insert, plus the member ids so the fan-out needs no second round trip.
// Sent as a named statement, so each pooled connection parses and plans it once.
const INSERT = `WITH c AS (
    UPDATE chats SET last_message_seq = last_message_seq + 1, last_message_at = now()
    WHERE id = $1 AND EXISTS (SELECT 1 FROM chat_members WHERE chat_id = $1 AND user_id = $2)
    RETURNING id, last_message_seq
  ), m AS (
    INSERT INTO messages (chat_id, seq, sender_id, client_id, body, reply_to_id)
    SELECT c.id, c.last_message_seq, $2, $3, $4, NULL FROM c
    RETURNING id, chat_id, seq, sender_id, client_id, body, reply_to_id, created_at
  ), r AS (
    UPDATE chat_members cm SET last_read_seq = m.seq FROM m WHERE cm.chat_id = m.chat_id AND cm.user_id = $2
  )
  SELECT m.*, (SELECT array_agg(user_id) FROM chat_members WHERE chat_id = $1) AS member_ids FROM m`;
const EXISTING = `SELECT id, chat_id, seq, sender_id, client_id, body, reply_to_id, created_at
  FROM messages WHERE sender_id = $1 AND client_id = $2`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLIENT_ID = /^[\x21-\x7e]{1,64}$/;
const fail = (code, message) => ({ ok: false, error: { code, message } });
const toMessage = (r) => ({
  id: r.id,
  chatId: r.chat_id,
  seq: r.seq,
  senderId: r.sender_id,
  clientId: r.client_id,
  body: r.body,
  replyToId: r.reply_to_id,
  createdAt: r.created_at.toISOString(),
  editedAt: null,
  deletedAt: null,
});

function invalid(p) {
  if (!p || typeof p !== 'object') return 'payload must be an object';
  if (typeof p.chatId !== 'string' || !UUID.test(p.chatId)) return 'chatId must be a UUID';
  if (typeof p.clientId !== 'string' || !CLIENT_ID.test(p.clientId)) return 'clientId must be 1-64 printable ASCII characters';
  if (typeof p.body !== 'string' || p.body.length > 4000 || p.body.trim() === '') return 'body must be 1-4000 characters';
  return null;
}

async function send(userId, p) {
  try {
    const { rows } = await pool.query({ name: 'insert', text: INSERT, values: [p.chatId, userId, p.clientId, p.body] });
    if (rows.length === 0) return { ack: fail('NOT_FOUND', 'Chat not found') };
    return { ack: { ok: true, message: toMessage(rows[0]) }, memberIds: rows[0].member_ids };
  } catch (error) {
    if (error.code !== '23505' || error.constraint !== 'messages_sender_client_key') throw error;
    const { rows } = await pool.query(EXISTING, [userId, p.clientId]);
    if (rows.length === 0) throw error;
    if (rows[0].chat_id !== p.chatId) return { ack: fail('BAD_REQUEST', 'clientId was already used for another chat') };
    return { ack: { ok: true, message: toMessage(rows[0]) } };
  }
}

const http = createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end());
const io = new Server(http, {
  serveClient: false,
  adapter: createAdapter(redis, { streamName: `${prefix}:socket.io`, channelPrefix: `${prefix}:socket.io`, maxLen: 10_000 }),
});

io.use((socket, next) => {
  try {
    const claims = jwt.verify(socket.handshake.auth?.token ?? '', env.JWT_SECRET, { algorithms: ['HS256'] });
    socket.data.userId = claims.sub;
    next();
  } catch {
    next(new Error('UNAUTHORIZED'));
  }
});

io.on('connection', (socket) => {
  void socket.join(`user:${socket.data.userId}`);
  socket.on('message:send', async (payload, ack) => {
    if (typeof ack !== 'function') return;
    const problem = invalid(payload);
    if (problem) return ack(fail('VALIDATION_FAILED', problem));
    try {
      const { ack: reply, memberIds } = await send(socket.data.userId, payload);
      ack(reply);
      if (memberIds) io.to(memberIds.map((id) => `user:${id}`)).emit('message:new', reply.message);
    } catch {
      ack(fail('INTERNAL_ERROR', 'Internal error'));
    }
  });
});

http.listen(Number(env.PORT ?? 3100), env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`baseline listening on ${env.HOST ?? '127.0.0.1'}:${env.PORT ?? 3100}\n`);
});

process.on('SIGTERM', () => {
  io.close(() => Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0)));
});

import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SEND_BACKLOG_MAX_MS } from '@/services/health.service';
import { registerUser, sdk } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { closeAllSockets, connect, request } from '../helpers/socket';

interface SendAck {
  ok: boolean;
  message?: { id: string; seq: number };
  error?: { code: string; message: string };
}

describe('socket events while the database pool is saturated (e2e)', () => {
  let app: TestApp;
  // One connection: ten sends waiting on it for over SEND_BACKLOG_MAX_MS make the database count as saturated.
  beforeAll(async () => {
    app = await startApp({ DATABASE_POOL_MAX: '1', REDIS_PREFIX: `sat${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    closeAllSockets();
    await app?.close();
  });

  it('refuses a new send at once, retryably, instead of queueing it behind the pool; the queued ones all succeed', async () => {
    const alice = await registerUser(app.url);
    const bob = await registerUser(app.url);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
    const socket = await connect(app.url, alice.accessToken);

    // The first send holds the only connection, waiting on the chat row; the others wait for the connection.
    const blocker = new Client({ connectionString: inject('databaseUrl') });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [chatId]);
    const queued = Array.from({ length: 11 }, (_, i) => request<SendAck>(socket, 'message:send', { chatId, clientId: randomUUID(), body: `q${i}` }, 15_000));
    // Within the grace a short stall gets, a new send still queues behind them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const accepted = request<SendAck>(socket, 'message:send', { chatId, clientId: randomUUID(), body: 'within the grace' }, 15_000);
    await new Promise((resolve) => setTimeout(resolve, SEND_BACKLOG_MAX_MS));

    const began = Date.now();
    const refused = await request<SendAck>(socket, 'message:send', { chatId, clientId: randomUUID(), body: 'one more' }, 15_000);
    const answeredInMs = Date.now() - began;
    expect(refused).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    // Answered without waiting for a connection (which would take until the blocker lets go, or the 5 s timeout).
    expect(answeredInMs).toBeLessThan(1000);

    await blocker.query('COMMIT');
    await blocker.end();
    const acks = await Promise.all([...queued, accepted]);
    expect(acks.every((a) => a.ok)).toBe(true);
  });
});

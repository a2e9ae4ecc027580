import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { authed, registerUser, sdk } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { DRAIN_NOTICE_MS } from '@/ws/chat.gateway';
import { closeAllSockets, connect, Inbox, request } from '../helpers/socket';
import { ChatGateway } from '@/ws/chat.gateway';

interface SendAck {
  ok: boolean;
  message?: { id: string; seq: number };
  error?: { code: string };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms: ${String(check)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('graceful shutdown of an instance (e2e)', () => {
  let survivor: TestApp;
  let leaving: TestApp;
  const shared = { REDIS_PREFIX: `drain${randomBytes(4).toString('hex')}`, SHUTDOWN_GRACE_MS: '3000' };
  beforeAll(async () => {
    [survivor, leaving] = await Promise.all([startApp(shared), startApp(shared)]);
  });
  afterAll(async () => {
    closeAllSockets();
    await survivor?.close();
  });

  it('refuses new work, answers every send in flight, then closes sockets so clients reconnect elsewhere', async () => {
    const alice = await registerUser(survivor.url);
    const carol = await registerUser(survivor.url);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: carol.id }, throwOnError: true })).data.id;
    const carolInbox = new Inbox(await connect(survivor.url, carol.accessToken));
    const aliceOnLeaving = await connect(leaving.url, alice.accessToken, { reconnection: true });
    await carolInbox.waitFor('presence', (p) => p.userId === alice.id && p.online === true);
    let disconnectedAt = 0;
    const disconnected = new Promise<string>((resolve) =>
      aliceOnLeaving.once('disconnect', (reason) => {
        disconnectedAt = Date.now();
        resolve(reason);
      }),
    );
    const noticed = new Promise<number>((resolve) => aliceOnLeaving.once('server:draining', () => resolve(Date.now())));

    // Hold the chat row from outside, so the sends are provably in flight when the shutdown starts.
    const blocker = new Client({ connectionString: inject('databaseUrl') });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [chatId]);
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      request<SendAck>(aliceOnLeaving, 'message:send', { chatId, clientId: randomUUID(), body: `m${i}` }, 10_000),
    );
    const blocked = async () => {
      // The batch statement is longer than pg_stat_activity keeps of a query, so it is known by its opening.
    // Read inside the blocker's transaction, which would otherwise keep serving its first snapshot of the activity.
      await blocker.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await blocker.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND (query LIKE '%INSERT INTO messages%' OR query LIKE '%unnest($1::uuid[]%')`,
      );
      return rows[0].n as number;
    };
    // Sends are group-committed, so fewer statements wait than there are sends: every send must have reached the
    // gateway and at least one statement must be waiting on the lock.
    const gateway = leaving.app.get(ChatGateway) as unknown as { inFlight: Set<unknown> };
    await waitUntil(async () => gateway.inFlight.size === inFlight.length && (await blocked()) >= 1);

    // What SIGTERM triggers (enableShutdownHooks).
    const closing = leaving.close();
    // The client is told to stop sending here before anything closes.
    await noticed;
    // Draining: a new handshake is refused, and an event on a socket that is still open is turned away.
    await waitUntil(() => connect(leaving.url, alice.accessToken).then(() => false, () => true));
    const late = await request<SendAck>(aliceOnLeaving, 'message:send', { chatId, clientId: randomUUID(), body: 'too late' });
    expect(late).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });

    await blocker.query('COMMIT');
    await blocker.end();
    const acks = await Promise.all(inFlight);
    await closing;
    expect(acks.every((a) => a.ok)).toBe(true);
    const history = await sdk.listMessages({ client: authed(survivor.url, carol.accessToken), path: { chatId }, query: { after: 0, limit: 200 }, throwOnError: true });
    expect(history.data.items.map((m) => m.id).sort()).toEqual(acks.map((a) => a.message!.id).sort());

    // A transport close, not a server-side disconnect: the client keeps trying, as it should towards another instance.
    expect(await disconnected).toBe('transport close');
    expect(disconnectedAt - (await noticed)).toBeGreaterThanOrEqual(DRAIN_NOTICE_MS - 50);
    expect(aliceOnLeaving.active).toBe(true);
    aliceOnLeaving.disconnect();
    // Alice had no other socket: her contacts hear she is offline, through the instance that stays.
    await carolInbox.waitFor('presence', (p) => p.userId === alice.id && p.online === false);
  });
});

describe('graceful shutdown whose grace period ends first (e2e)', () => {
  let survivor: TestApp;
  let leaving: TestApp;
  const shared = { REDIS_PREFIX: `drain${randomBytes(4).toString('hex')}`, SHUTDOWN_GRACE_MS: '1000' };
  beforeAll(async () => {
    [survivor, leaving] = await Promise.all([startApp(shared), startApp(shared)]);
  });
  afterAll(async () => {
    closeAllSockets();
    await survivor?.close();
  });

  it('refuses every send still waiting retryably before the socket closes; the resend with the same clientId stores each once', async () => {
    const alice = await registerUser(survivor.url);
    const carol = await registerUser(survivor.url);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: carol.id }, throwOnError: true })).data.id;
    const aliceOnLeaving = await connect(leaving.url, alice.accessToken);

    // The chat row is held past the grace period: the sends are still waiting for the database when it ends.
    const blocker = new Client({ connectionString: inject('databaseUrl') });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [chatId]);
    const clientIds = Array.from({ length: 10 }, () => randomUUID());
    const inFlight = clientIds.map((clientId, i) => request<SendAck>(aliceOnLeaving, 'message:send', { chatId, clientId, body: `m${i}` }, 15_000));
    // Group commit writes sends that arrive together with one statement (known by its opening: pg_stat_activity
    // keeps only the start of a long query), so one statement waiting on the lock holds them all.
    await waitUntil(async () => {
      await blocker.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await blocker.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND (query LIKE '%INSERT INTO messages%' OR query LIKE '%unnest($1::uuid[]%')`,
      );
      return rows[0].n >= 1;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const closing = leaving.close();
    // Answered, not cut: a socket closing on a send in flight would reject these with "socket has been disconnected".
    const acks = await Promise.all(inFlight);
    expect(acks.map((a) => a.error?.code)).toEqual(clientIds.map(() => 'SERVICE_UNAVAILABLE'));
    await blocker.query('COMMIT');
    await blocker.end();
    await closing;

    // The refused sends may still have committed on the way down; resending them elsewhere stores none twice.
    const aliceOnSurvivor = await connect(survivor.url, alice.accessToken);
    const resent = await Promise.all(clientIds.map((clientId, i) => request<SendAck>(aliceOnSurvivor, 'message:send', { chatId, clientId, body: `m${i}` })));
    expect(resent.every((a) => a.ok)).toBe(true);
    const history = await sdk.listMessages({ client: authed(survivor.url, carol.accessToken), path: { chatId }, query: { after: 0, limit: 200 }, throwOnError: true });
    expect(history.data.items.map((m) => m.id).sort()).toEqual(resent.map((a) => a.message!.id).sort());
  });
});

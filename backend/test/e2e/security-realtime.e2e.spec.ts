import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { closeAllSockets, connect, Inbox, request } from '../helpers/socket';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** no event amplification, presence only for people who were answered. */
describe('realtime amplification and presence privacy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ RATE_SOCKET_EVENTS: '40', RATE_SOCKET_EVENTS_WINDOW_SECONDS: '10', RATE_CHATS: '5' });
  });
  afterEach(() => closeAllSockets());
  afterAll(() => t.close());

  const user = () => registerUser(t.url);
  const direct = async (from: TestUser, to: TestUser) =>
    (await sdk.createChat({ client: from.client, body: { type: 'direct', userId: to.id }, throwOnError: true })).data.id;
  const online = async (u: TestUser) => {
    const socket = await connect(t.url, u.accessToken);
    return { socket, inbox: new Inbox(socket) };
  };

  it('fans a burst of 10 typing events out once', async () => {
    const [alice, bob] = [await user(), await user()];
    const chatId = await direct(alice, bob);
    const a = await online(alice);
    const b = await online(bob);
    const acks = await Promise.all(Array.from({ length: 10 }, () => request(a.socket, 'typing', { chatId })));
    expect(acks.every((ack) => (ack as { ok: boolean }).ok)).toBe(true);
    await b.inbox.waitFor('typing');
    await sleep(300);
    expect(b.inbox.of('typing')).toHaveLength(1);
  });

  it('emits nothing for a read that does not move the marker', async () => {
    const [alice, bob] = [await user(), await user()];
    const chatId = await direct(alice, bob);
    await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: 'hi' }, throwOnError: true });
    const a = await online(alice);
    const b = await online(bob);
    expect(await request(b.socket, 'read', { chatId, seq: 1 })).toEqual({ ok: true, seq: 1 });
    await a.inbox.waitFor('read');
    for (let i = 0; i < 5; i++) expect(await request(b.socket, 'read', { chatId, seq: 1 })).toEqual({ ok: true, seq: 1 });
    await sdk.markChatRead({ client: bob.client, path: { chatId }, body: { seq: 0 }, throwOnError: true });
    await sleep(300);
    expect(a.inbox.of('read')).toHaveLength(1);
  });

  it('coalesces a connect/disconnect storm into at most one presence change per second', async () => {
    const [alice, bob] = [await user(), await user()];
    await direct(bob, alice);
    const a = await online(alice);
    const arrivals: number[] = [];
    a.socket.on('presence', (p: { userId: string }) => p.userId === bob.id && arrivals.push(Date.now()));
    const started = Date.now();
    for (let i = 0; i < 8; i++) {
      const s = await connect(t.url, bob.accessToken);
      await sleep(30);
      s.disconnect();
      await sleep(30);
    }
    await sleep(1500);
    const stormSeconds = (Date.now() - started) / 1000;
    expect(arrivals.length).toBeGreaterThanOrEqual(1);
    expect(arrivals.length).toBeLessThanOrEqual(Math.ceil(stormSeconds) + 1);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i] - arrivals[i - 1]).toBeGreaterThanOrEqual(900);
    // The storm ends offline, and that is the last word.
    const last = a.inbox.of<{ userId: string; online: boolean }>('presence').filter((p) => p.userId === bob.id).at(-1);
    expect(last?.online).toBe(false);
  });

  it('answers events past RATE_SOCKET_EVENTS with RATE_LIMITED in the ack', async () => {
    const [alice, bob] = [await user(), await user()];
    const chatId = await direct(alice, bob);
    const a = await online(alice);
    const acks = await Promise.all(Array.from({ length: 45 }, () => request<{ ok: boolean; error?: { code: string; retryAfterSeconds?: number } }>(a.socket, 'typing', { chatId })));
    expect(acks.filter((ack) => ack.ok)).toHaveLength(40);
    const refused = acks.filter((ack) => !ack.ok);
    expect(refused).toHaveLength(5);
    for (const ack of refused) {
      expect(ack.error?.code).toBe('RATE_LIMITED');
      expect(ack.error?.retryAfterSeconds).toBeGreaterThan(0);
    }
    // Another connection has its own budget.
    const again = await online(alice);
    expect(await request(again.socket, 'typing', { chatId })).toEqual({ ok: true });
  });

  it('hides presence from a stranger who opened a direct chat, until they are answered', async () => {
    const [alice, stranger] = [await user(), await user()];
    const chatId = await direct(stranger, alice);
    const s = await online(stranger);
    await online(alice);
    await sleep(500);
    expect(s.inbox.of('presence').filter((p) => p.userId === alice.id)).toEqual([]);
    const looked = await sdk.getPresence({ client: stranger.client, query: { ids: [alice.id] }, throwOnError: true });
    expect(looked.data.items).toEqual([]);
    // Alice answers: now the stranger is a contact and sees her.
    await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: 'who is this?' }, throwOnError: true });
    const seen = await sdk.getPresence({ client: stranger.client, query: { ids: [alice.id] }, throwOnError: true });
    expect(seen.data.items).toEqual([{ userId: alice.id, online: true, lastSeenAt: null }]);
  });

  it('limits chat creation per user with RATE_CHATS', async () => {
    const alice = await user();
    const others = await Promise.all(Array.from({ length: 6 }, () => user()));
    for (const other of others.slice(0, 5)) await direct(alice, other);
    const over = await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: others[5].id } });
    expect(over.response.status).toBe(429);
    expect(Number(over.response.headers.get('retry-after'))).toBeGreaterThan(0);
    const group = await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'spam', memberIds: [] } });
    expect(group.response.status).toBe(429);
  });

  it('still tells a person that an e-mail is taken, within the per-IP registration limit', async () => {
    const app = await startApp({ RATE_REGISTER: '3' });
    try {
      const alice = await registerUser(app.url);
      const again = () =>
        sdk.register({ client: anonymous(app.url), body: { email: alice.email, username: `x${randomUUID().slice(0, 8)}`, password: 'long-enough-1' } });
      expect((await again()).response.status).toBe(409);
      expect((await again()).response.status).toBe(409);
      expect((await again()).response.status).toBe(429);
    } finally {
      await app.close();
    }
  });
});

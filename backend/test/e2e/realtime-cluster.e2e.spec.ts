import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, authed, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { closeAllSockets, connect, Inbox, request } from '../helpers/socket';

interface Message {
  id: string;
  chatId: string;
  seq: number;
  body: string | null;
}

/** Two instances of the app on one PostgreSQL and one Redis, as behind a load balancer. */
describe('realtime across two instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const shared = { REDIS_PREFIX: `cluster${randomBytes(4).toString('hex')}` };
    [a, b] = await Promise.all([startApp(shared), startApp(shared)]);
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const user = () => registerUser(a.url);
  const on = async (app: TestApp, u: TestUser) => {
    const socket = await connect(app.url, u.accessToken);
    return { socket, inbox: new Inbox(socket) };
  };
  const direct = async (x: TestUser, y: TestUser) =>
    (await sdk.createChat({ client: x.client, body: { type: 'direct', userId: y.id }, throwOnError: true })).data.id;

  it('delivers socket and REST sends to members connected to the other instance, in order', async () => {
    const alice = await user();
    const bob = await user();
    const chatId = await direct(alice, bob);
    const aliceOnA = await on(a, alice);
    const bobOnB = await on(b, bob);

    const ack = await request<{ ok: boolean; message: Message }>(aliceOnA.socket, 'message:send', { chatId, clientId: randomUUID(), body: 'across' });
    expect(ack.ok).toBe(true);
    const [delivered] = await bobOnB.inbox.waitFor<Message>('message:new');
    expect(delivered).toEqual(ack.message);

    // REST on instance B reaches alice's socket on instance A.
    const viaB = await sdk.sendMessage({ client: authed(b.url, bob.accessToken), path: { chatId }, body: { clientId: randomUUID(), body: 'back' }, throwOnError: true });
    const [back] = await aliceOnA.inbox.waitFor<Message>('message:new', (m) => m.body === 'back');
    expect(back).toEqual(viaB.data);

    const burst = await Promise.all(
      Array.from({ length: 100 }, (_, i) => request<{ ok: boolean; message: Message }>(aliceOnA.socket, 'message:send', { chatId, clientId: randomUUID(), body: `b${i}` })),
    );
    expect(burst.every((r) => r.ok)).toBe(true);
    const received = await bobOnB.inbox.waitFor<Message>('message:new', (m) => m.body!.startsWith('b') && m.body !== 'back', 100, 15_000);
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 3));
  });

  it('carries typing, read receipts and presence across instances', async () => {
    const alice = await user();
    const bob = await user();
    // Bob opens the chat, so alice may see his presence.
    const chatId = await direct(bob, alice);
    const aliceOnA = await on(a, alice);

    const bobOnB = await on(b, bob);
    await aliceOnA.inbox.waitFor('presence', (p) => p.userId === bob.id && p.online === true);

    await request(bobOnB.socket, 'typing', { chatId });
    expect((await aliceOnA.inbox.waitFor('typing'))[0]).toEqual({ chatId, userId: bob.id });

    await request(aliceOnA.socket, 'message:send', { chatId, clientId: randomUUID(), body: 'read me' });
    expect(await request(bobOnB.socket, 'read', { chatId, seq: 1 })).toEqual({ ok: true, seq: 1 });
    expect((await aliceOnA.inbox.waitFor('read', (r) => r.userId === bob.id))[0]).toEqual({ chatId, userId: bob.id, seq: 1 });

    // Online while a socket is left on either instance; offline once the last one closes.
    const bobOnA = await on(a, bob);
    // Registering a socket's presence finishes shortly after its handshake; give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    bobOnB.socket.disconnect();
    const stillOnline = await sdk.getPresence({ client: alice.client, query: { ids: [bob.id] }, throwOnError: true });
    expect(stillOnline.data.items).toEqual([{ userId: bob.id, online: true, lastSeenAt: null }]);
    bobOnA.socket.disconnect();
    const [down] = await aliceOnA.inbox.waitFor('presence', (p) => p.userId === bob.id && p.online === false);
    expect(down.lastSeenAt).toEqual(expect.any(String));
    expect(aliceOnA.inbox.of('presence').filter((p) => p.userId === bob.id).map((p) => p.online)).toEqual([true, false]);
    const offline = await sdk.getPresence({ client: authed(b.url, alice.accessToken), query: { ids: [bob.id] }, throwOnError: true });
    expect(offline.data.items).toEqual([{ userId: bob.id, online: false, lastSeenAt: down.lastSeenAt }]);
  });

  it('stops delivering to a member removed on the other instance at once', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'g', memberIds: [bob.id, carol.id] }, throwOnError: true })).data.id;
    const withCarol = await direct(alice, carol);
    const aliceOnA = await on(a, alice);
    const bobOnB = await on(b, bob);
    const carolOnB = await on(b, carol);

    await sdk.removeChatMember({ client: alice.client, path: { chatId, userId: carol.id }, throwOnError: true });
    expect((await carolOnB.inbox.waitFor('member:removed'))[0]).toEqual({ chatId, userId: carol.id });

    await request(aliceOnA.socket, 'message:send', { chatId, clientId: randomUUID(), body: 'carol is gone' });
    await request(aliceOnA.socket, 'typing', { chatId });
    await bobOnB.inbox.waitFor<Message>('message:new', (m) => m.body === 'carol is gone');
    await request(aliceOnA.socket, 'message:send', { chatId: withCarol, clientId: randomUUID(), body: 'marker' });
    await carolOnB.inbox.waitFor('message:new');
    const chatTraffic = carolOnB.inbox.events.filter((e) => e.event !== 'presence' && e.event !== 'member:removed');
    expect(chatTraffic.map((e) => (e.payload as Message).body)).toEqual(['marker']);
  });
});

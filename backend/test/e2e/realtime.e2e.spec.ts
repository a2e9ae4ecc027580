import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app';
import { closeAllSockets, connect, Inbox, request, type ClientSocket } from '../helpers/socket';

interface Message {
  id: string;
  chatId: string;
  seq: number;
  senderId: string;
  clientId: string;
  body: string | null;
  deletedAt: string | null;
}
interface SendAck {
  ok: boolean;
  message?: Message;
  error?: { code: string; message: string; fields?: string[] };
}

/** Presence of people who share a chat may arrive at any time; the checks about chat traffic leave it aside. */
const chatEvents = (inbox: Inbox) => inbox.events.filter((e) => e.event !== 'presence');

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(claims: object, secret: string, alg = 'HS256'): string {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  return alg === 'none' ? `${head}.` : `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('realtime over socket.io (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterEach(() => closeAllSockets());
  afterAll(() => t.close());

  const user = () => registerUser(t.url);
  const direct = async (a: TestUser, b: TestUser) =>
    (await sdk.createChat({ client: a.client, body: { type: 'direct', userId: b.id }, throwOnError: true })).data.id;
  const group = async (owner: TestUser, members: TestUser[]) =>
    (await sdk.createChat({ client: owner.client, body: { type: 'group', title: 'team', memberIds: members.map((m) => m.id) }, throwOnError: true })).data.id;
  const online = async (u: TestUser) => {
    const socket = await connect(t.url, u.accessToken);
    return { socket, inbox: new Inbox(socket) };
  };
  const send = (socket: ClientSocket, chatId: string, body: string, clientId = randomUUID()) =>
    request<SendAck>(socket, 'message:send', { chatId, clientId, body });

  describe('handshake', () => {
    it('accepts a valid access token, over websocket and over polling with upgrade', async () => {
      const alice = await user();
      const ws = await connect(t.url, alice.accessToken);
      expect(ws.connected).toBe(true);
      const polling = await connect(t.url, alice.accessToken, { transports: ['polling', 'websocket'] });
      expect(polling.connected).toBe(true);
    });

    it('refuses a missing, malformed, forged, expired or unsigned token with connect_error', async () => {
      const alice = await user();
      const claims = { sub: alice.id, username: alice.username, role: 'user' };
      const now = Math.floor(Date.now() / 1000);
      const bad = [
        undefined,
        '',
        'not-a-jwt',
        jwt({ ...claims, exp: now + 600 }, 'some-other-secret-that-is-long-enough-0123456789'),
        jwt({ ...claims, iat: now - 1000, exp: now - 100 }, TEST_JWT_SECRET),
        jwt({ ...claims, exp: now + 600 }, TEST_JWT_SECRET, 'none'),
      ];
      for (const token of bad) {
        const error = await connect(t.url, token).then(
          () => null,
          (e: Error & { data?: { code?: string } }) => e,
        );
        expect(error, `token ${String(token)}`).not.toBeNull();
        expect(error!.data?.code).toBe('UNAUTHORIZED');
      }
      // The same claims properly signed are accepted, so the refusals above are about the signature and expiry.
      await expect(connect(t.url, jwt({ ...claims, exp: now + 600 }, TEST_JWT_SECRET))).resolves.toBeTruthy();
    });
  });

  describe('message:send', () => {
    it('acks the stored message, then delivers it to every socket of every member, the sender included', async () => {
      const alice = await user();
      const bob = await user();
      const chatId = await direct(alice, bob);
      const a1 = await online(alice);
      const a2 = await online(alice);
      const b = await online(bob);

      let ackedBeforeBroadcast: boolean | undefined;
      let acked = false;
      a1.socket.on('message:new', () => (ackedBeforeBroadcast ??= acked));
      // The flag is set inside the ack callback itself: a promise continuation would run only after a
      // message:new that arrived in the same network read, and would misreport the order.
      const ack = await new Promise<SendAck>((resolve, reject) => {
        a1.socket.timeout(5000).emit('message:send', { chatId, clientId: randomUUID(), body: 'hello bob' }, (err: Error | null, res: SendAck) => {
          acked = true;
          if (err) reject(err);
          else resolve(res);
        });
      });

      expect(ack.ok).toBe(true);
      expect(ack.message).toMatchObject({ chatId, seq: 1, senderId: alice.id, body: 'hello bob' });
      for (const inbox of [b.inbox, a2.inbox, a1.inbox]) {
        const [delivered] = await inbox.waitFor<Message>('message:new');
        expect(delivered).toEqual(ack.message);
      }
      expect(ackedBeforeBroadcast).toBe(true);
      // The row exists: REST history returns exactly what was pushed.
      const history = await sdk.listMessages({ client: bob.client, path: { chatId }, throwOnError: true });
      expect(history.data.items).toEqual([ack.message]);
    });

    it('answers bad input and foreign chats with ok:false and the REST error codes, and broadcasts nothing', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const chatId = await direct(alice, bob);
      const foreign = await direct(bob, carol);
      const a = await online(alice);
      const b = await online(bob);

      const cases: Array<[unknown, string, string[] | undefined]> = [
        [{ chatId, clientId: 'c1', body: '' }, 'VALIDATION_FAILED', ['body']],
        [{ chatId, clientId: 'c2', body: '   ' }, 'VALIDATION_FAILED', ['body']],
        [{ chatId, clientId: 'c3', body: 'x'.repeat(4001) }, 'VALIDATION_FAILED', ['body']],
        [{ chatId: 'not-a-uuid', clientId: 'c4', body: 'hi' }, 'VALIDATION_FAILED', ['chatId']],
        [{ chatId, body: 'hi' }, 'VALIDATION_FAILED', ['clientId']],
        [{ chatId, clientId: 'c5', body: 'hi', admin: true }, 'VALIDATION_FAILED', ['admin']],
        ['just a string', 'VALIDATION_FAILED', undefined],
        [{ chatId: foreign, clientId: 'c6', body: 'let me in' }, 'NOT_FOUND', undefined],
        [{ chatId: randomUUID(), clientId: 'c7', body: 'nobody home' }, 'NOT_FOUND', undefined],
        [{ chatId, clientId: 'c8', body: 'hi', replyToId: randomUUID() }, 'BAD_REQUEST', ['replyToId']],
      ];
      for (const [payload, code, fields] of cases) {
        const ack = await request<SendAck>(a.socket, 'message:send', payload);
        expect(ack.ok, JSON.stringify(payload).slice(0, 80)).toBe(false);
        expect(ack.error?.code).toBe(code);
        expect(ack.error?.message).toBeTruthy();
        if (fields) expect(ack.error?.fields).toEqual(expect.arrayContaining(fields));
      }
      // A valid message afterwards is seq 1 and the first thing bob sees: nothing before it was stored or pushed.
      const ok = await send(a.socket, chatId, 'fine');
      expect(ok.message?.seq).toBe(1);
      await b.inbox.waitFor('message:new');
      expect(chatEvents(b.inbox).map((e) => e.event)).toEqual(['message:new']);
    });

    it('sends nothing to people who are not members', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const secret = await direct(alice, bob);
      const withCarol = await direct(alice, carol);
      const a = await online(alice);
      const c = await online(carol);

      await send(a.socket, secret, 'between us');
      await request(a.socket, 'typing', { chatId: secret });
      // Events leave an instance in order, so once carol has this one she would have had the ones before.
      await send(a.socket, withCarol, 'marker');
      await c.inbox.waitFor<Message>('message:new', (m) => m.body === 'marker');
      expect(chatEvents(c.inbox)).toHaveLength(1);
    });

    it('delivers 200 sends fired without waiting exactly once each, in seq order', async () => {
      const alice = await user();
      const bob = await user();
      const chatId = await direct(alice, bob);
      const a = await online(alice);
      const b = await online(bob);

      const acks = await Promise.all(Array.from({ length: 200 }, (_, i) => send(a.socket, chatId, `burst ${i}`)));
      expect(acks.every((ack) => ack.ok)).toBe(true);
      expect(acks.map((ack) => ack.message!.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));

      const received = await b.inbox.waitFor<Message>('message:new', () => true, 200, 15_000);
      expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(new Set(received.map((m) => m.id)).size).toBe(200);
      const sent = new Map(acks.map((ack) => [ack.message!.id, ack.message!]));
      for (const m of received) expect(m).toEqual(sent.get(m.id));
    });

    it('answers a resend with the same clientId with the stored message and does not deliver it twice', async () => {
      const alice = await user();
      const bob = await user();
      const chatId = await direct(alice, bob);
      const a = await online(alice);
      const b = await online(bob);

      const clientId = randomUUID();
      const first = await send(a.socket, chatId, 'once', clientId);
      const again = await send(a.socket, chatId, 'once', clientId);
      const viaRest = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId, body: 'once' }, throwOnError: true });
      expect(again).toEqual(first);
      expect(viaRest.data).toEqual(first.message);

      await send(a.socket, chatId, 'marker');
      const received = await b.inbox.waitFor<Message>('message:new', (m) => m.body === 'marker');
      expect(received[0].seq).toBe(2);
      expect(b.inbox.of<Message>('message:new').map((m) => m.body)).toEqual(['once', 'marker']);
    });
  });

  describe('REST changes are pushed like socket sends', () => {
    it('pushes REST sends, edits and deletes to the members', async () => {
      const alice = await user();
      const bob = await user();
      const chatId = await direct(alice, bob);
      const a = await online(alice);
      const b = await online(bob);

      const sent = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: 'draft' }, throwOnError: true });
      const [pushed] = await b.inbox.waitFor<Message>('message:new');
      expect(pushed).toEqual(sent.data);
      await a.inbox.waitFor('message:new');

      await sdk.editMessage({ client: alice.client, path: { id: sent.data.id }, body: { body: 'final' }, throwOnError: true });
      const [edited] = await b.inbox.waitFor<Message & { editedAt: string }>('message:updated');
      expect(edited).toMatchObject({ id: sent.data.id, seq: 1, body: 'final' });
      expect(edited.editedAt).toBeTruthy();

      await sdk.deleteMessage({ client: alice.client, path: { id: sent.data.id }, throwOnError: true });
      const [deleted] = await b.inbox.waitFor<Message>('message:deleted');
      expect(deleted).toMatchObject({ id: sent.data.id, body: null });
      expect(deleted.deletedAt).toBeTruthy();
      await a.inbox.waitFor('message:deleted');
    });

    it('pushes chat:created, and chat:updated and member:added when someone joins', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const b = await online(bob);
      const c = await online(carol);

      const chatId = await group(alice, [bob]);
      const [created] = await b.inbox.waitFor<{ id: string; members: Array<{ userId: string }> }>('chat:created');
      expect(created.id).toBe(chatId);
      expect(created.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id].sort());

      await sdk.addChatMember({ client: alice.client, path: { chatId }, body: { userId: carol.id }, throwOnError: true });
      for (const inbox of [b.inbox, c.inbox]) {
        const [added] = await inbox.waitFor('member:added');
        expect(added).toEqual({ chatId, userId: carol.id });
        const [updated] = await inbox.waitFor<{ id: string; members: unknown[] }>('chat:updated');
        expect(updated.id).toBe(chatId);
        expect(updated.members).toHaveLength(3);
      }
    });
  });

  describe('typing and read', () => {
    it('sends typing to the other members only, never back to the typist, and refuses foreign chats', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const chatId = await group(alice, [bob]);
      const withCarol = await direct(alice, carol);
      const a1 = await online(alice);
      const a2 = await online(alice);
      const b = await online(bob);
      const c = await online(carol);

      expect(await request(a1.socket, 'typing', { chatId })).toEqual({ ok: true });
      const [typing] = await b.inbox.waitFor('typing');
      expect(typing).toEqual({ chatId, userId: alice.id });
      // A burst of repeats is answered but fanned out once per second at most.
      for (let i = 0; i < 5; i++) expect(await request(a1.socket, 'typing', { chatId })).toEqual({ ok: true });

      const foreign = await direct(bob, carol);
      expect(await request(a1.socket, 'typing', { chatId: foreign })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await request(a1.socket, 'typing', { chatId: 'nope' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });

      await send(a1.socket, withCarol, 'marker');
      await c.inbox.waitFor('message:new');
      await a2.inbox.waitFor('message:new');
      expect(c.inbox.of('typing')).toEqual([]);
      expect(a1.inbox.of('typing')).toEqual([]);
      expect(a2.inbox.of('typing')).toEqual([]);
      expect(b.inbox.of('typing')).toHaveLength(1);
    });

    it('acts on typing and read sent without an ack callback, as fire-and-forget clients send them', async () => {
      const alice = await user();
      const bob = await user();
      const chatId = await direct(alice, bob);
      const a = await online(alice);
      const b = await online(bob);
      await send(a.socket, chatId, 'hello');

      b.socket.emit('typing', { chatId });
      const [typing] = await a.inbox.waitFor('typing');
      expect(typing).toEqual({ chatId, userId: bob.id });

      b.socket.emit('read', { chatId, seq: 1 });
      const [read] = await a.inbox.waitFor('read', (r) => r.userId === bob.id);
      expect(read).toEqual({ chatId, userId: bob.id, seq: 1 });
    });

    it('moves the read marker like the REST route and tells the members', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const chatId = await direct(alice, bob);
      const withCarol = await direct(alice, carol);
      const a = await online(alice);
      const b = await online(bob);
      const c = await online(carol);
      for (const body of ['one', 'two', 'three']) await send(a.socket, chatId, body);

      expect(await request(b.socket, 'read', { chatId, seq: 2 })).toEqual({ ok: true, seq: 2 });
      const [read] = await a.inbox.waitFor('read', (r) => r.userId === bob.id);
      expect(read).toEqual({ chatId, userId: bob.id, seq: 2 });
      // Never backwards, never past the newest message.
      expect(await request(b.socket, 'read', { chatId, seq: 1 })).toEqual({ ok: true, seq: 2 });
      expect(await request(b.socket, 'read', { chatId, seq: 99 })).toEqual({ ok: true, seq: 3 });
      const chat = await sdk.getChat({ client: bob.client, path: { chatId }, throwOnError: true });
      expect(chat.data.unreadCount).toBe(0);

      expect(await request(b.socket, 'read', { chatId: withCarol, seq: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await request(b.socket, 'read', { chatId, seq: -1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: ['seq'] } });

      await send(a.socket, withCarol, 'marker');
      await c.inbox.waitFor('message:new');
      expect(c.inbox.of('read')).toEqual([]);
    });
  });

  describe('presence', () => {
    it('tells people who share a chat when someone comes online and when their last socket leaves', async () => {
      const alice = await user();
      const bob = await user();
      const stranger = await user();
      // Bob opens the chat, so alice may see his presence (someone who only opened a chat with him may not).
      await direct(bob, alice);
      const a = await online(alice);
      const s = await online(stranger);

      const b1 = await online(bob);
      const [up] = await a.inbox.waitFor('presence', (p) => p.userId === bob.id && p.online === true);
      expect(up).toEqual({ userId: bob.id, online: true, lastSeenAt: null });

      // A second tab changes nothing; closing one of two keeps bob online.
      const b2 = await online(bob);
      b1.socket.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(a.inbox.of('presence').filter((p) => p.userId === bob.id)).toHaveLength(1);

      const before = Date.now();
      b2.socket.disconnect();
      const [down] = await a.inbox.waitFor<{ userId: string; online: boolean; lastSeenAt: string }>('presence', (p) => p.userId === bob.id && !p.online);
      expect(new Date(down.lastSeenAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(s.inbox.of('presence')).toEqual([]);
    });
  });

  describe('membership', () => {
    it('stops delivering a chat to a removed member at once, and refuses their sends', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const chatId = await group(alice, [bob, carol]);
      const withCarol = await direct(alice, carol);
      const a = await online(alice);
      const b = await online(bob);
      const c = await online(carol);

      await send(a.socket, chatId, 'everyone');
      await c.inbox.waitFor('message:new');

      await sdk.removeChatMember({ client: alice.client, path: { chatId, userId: carol.id }, throwOnError: true });
      const [removed] = await c.inbox.waitFor('member:removed');
      expect(removed).toEqual({ chatId, userId: carol.id });
      c.inbox.clear();

      await send(a.socket, chatId, 'without carol');
      await request(b.socket, 'typing', { chatId });
      expect(await send(c.socket, chatId, 'still here?')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      await b.inbox.waitFor<Message>('message:new', (m) => m.body === 'without carol');

      await send(a.socket, withCarol, 'marker');
      await c.inbox.waitFor('message:new');
      expect(chatEvents(c.inbox).map((e) => (e.payload as Message).body)).toEqual(['marker']);
    });
  });

  describe('reconnect', () => {
    it('recovers exactly the missed messages with after=<last seq>', async () => {
      const alice = await user();
      const bob = await user();
      const chatId = await direct(alice, bob);
      const a = await online(alice);
      const b = await online(bob);

      for (let i = 1; i <= 3; i++) await send(a.socket, chatId, `seen ${i}`);
      const seen = await b.inbox.waitFor<Message>('message:new', () => true, 3);
      const lastSeq = Math.max(...seen.map((m) => m.seq));
      b.socket.disconnect();

      const missed: Message[] = [];
      for (let i = 1; i <= 5; i++) missed.push((await send(a.socket, chatId, `missed ${i}`)).message!);

      const back = await online(bob);
      await send(a.socket, chatId, 'after reconnect');
      // The broadcast of the last missed message follows its ack, so it may still reach the new socket live.
      const [live] = await back.inbox.waitFor<Message>('message:new', (m) => m.body === 'after reconnect');
      // The live message shows a gap (seq jumps past lastSeq + 1): fetch what lies between.
      expect(live.seq).toBe(lastSeq + 6);
      const page = await sdk.listMessages({ client: bob.client, path: { chatId }, query: { after: lastSeq }, throwOnError: true });
      expect(page.data.items.filter((m) => m.seq < live.seq)).toEqual(missed);
    });
  });
});

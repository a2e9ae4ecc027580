import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { api, deliveryOf, eventually, registerAdmin, send } from '../helpers/outbound';
import { closeAllSockets, connect, Inbox, request } from '../helpers/socket';
import { png, sendBytes, uploadFile } from '../helpers/uploads';

/**
 * The website widget (e2e: the app over HTTP and socket.io): web channels, visitor sessions checked against the
 * allowed origins, visitor tokens that reach only their own thread, the /widget namespace and operator replies
 * delivered to the visitor live.
 */
const SITE = 'https://shop.example.test';
const SESSIONS_PER_WINDOW = 5;

interface Session {
  token: string;
  visitorId: string;
  contactId: string;
  threadId: string | null;
  resumed: boolean;
  online: boolean;
  name: string;
  channel: { id: string; greeting: string | null };
}
interface WidgetMessage {
  id: string;
  attachments: Array<{ id: string; fileName: string }>;
  threadId: string;
  seq: number;
  body: string | null;
  from: 'visitor' | 'agent';
  senderName: string | null;
}
type Ack<T> = { ok: true } & T | { ok: false; error: { code: string; message: string } };

describe('website widget (e2e)', () => {
  let app: TestApp;
  let admin: TestUser;
  let channelId: string;
  const sockets: Socket[] = [];
  let ip = 0;
  /** Each test its own client address, so only the rate-limit test meets the per-IP limit. */
  const nextIp = () => `203.0.113.${++ip}`;

  beforeAll(async () => {
    app = await startApp({
      PUBLIC_URL: 'https://messenger.example.test',
      TRUST_PROXY: 'true',
      RATE_WIDGET_SESSIONS: String(SESSIONS_PER_WINDOW),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    admin = await registerAdmin(app.url);
    const res = await api<{ id: string }>(app.url, admin, 'POST', '/channels', { type: 'web', name: 'Shop site', allowedOrigins: [SITE], greeting: 'Hi! How can we help?' });
    expect(res.status).toBe(201);
    channelId = res.body.id;
  });
  afterAll(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    closeAllSockets();
    await app?.close();
  });

  const openSession = async (body: Record<string, unknown> = {}, origin: string | null = SITE, from = nextIp()) => {
    const res = await fetch(`${app.url}/api/v1/widget/${channelId}/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from, ...(origin ? { Origin: origin } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Session & { code?: string; message?: string } };
  };

  const visitorSocket = (token: string | undefined, origin?: string): Promise<Socket> => {
    const socket = io(`${app.url}/widget`, {
      path: '/socket.io',
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 5000,
      ...(origin ? { extraHeaders: { Origin: origin } } : {}),
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => reject(error));
    });
  };

  const widgetGet = async (token: string, path: string) => {
    const res = await fetch(`${app.url}/api/v1/widget${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** A visitor who has written once: their session, socket and thread. */
  const visitorWithThread = async (text = 'Hello, is the blue one in stock?') => {
    const session = (await openSession()).body;
    const socket = await visitorSocket(session.token);
    const ack = await request<Ack<{ message: WidgetMessage }>>(socket, 'message:send', { clientId: randomUUID(), body: text });
    if (!ack.ok) throw new Error(`send refused: ${ack.error.message}`);
    return { session, socket, threadId: ack.message.threadId, first: ack.message };
  };

  it('a web channel comes with its embed snippet; without allowedOrigins it is a 400 naming the field', async () => {
    const res = await api<{ type: string; embedSnippet: string; allowedOrigins: string[]; greeting: string }>(app.url, admin, 'GET', `/channels/${channelId}`);
    expect(res.body).toMatchObject({ type: 'web', allowedOrigins: [SITE], greeting: 'Hi! How can we help?' });
    expect(res.body.embedSnippet).toBe(`<script src="https://messenger.example.test/widget.js" data-channel="${channelId}" async></script>`);

    const bad = await api<{ fields?: string[] }>(app.url, admin, 'POST', '/channels', { type: 'web', name: 'No origins' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('allowedOrigins');
    const path = await api(app.url, admin, 'POST', '/channels', { type: 'web', name: 'Path', allowedOrigins: ['https://shop.example/page'] });
    expect(path.status).toBe(400);
    // Settings change; a web channel takes no provider credentials; syncing it fetches nothing.
    const renamed = await api<{ greeting: string; theme: { color: string } }>(app.url, admin, 'PATCH', `/channels/${channelId}`, { greeting: 'Hi! How can we help?', theme: { color: '#112233' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.theme).toEqual({ color: '#112233' });
    expect((await api(app.url, admin, 'PATCH', `/channels/${channelId}`, { botToken: '123:abc' })).status).toBe(400);
    expect((await api(app.url, admin, 'PATCH', `/channels/${channelId}`, { theme: { color: 'red' } })).status).toBe(400);
    expect((await api(app.url, admin, 'POST', `/channels/${channelId}/sync`)).status).toBe(202);
  });

  it('a page on an origin the channel does not allow is refused with 403 ORIGIN_NOT_ALLOWED, as is a request without Origin', async () => {
    const evil = await openSession({}, 'https://evil.example.test');
    expect(evil.status).toBe(403);
    expect(evil.body.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(evil.body.message).toContain('https://evil.example.test');
    const none = await openSession({}, null);
    expect(none.status).toBe(403);
    expect(none.body.code).toBe('ORIGIN_NOT_ALLOWED');
    const unknown = await fetch(`${app.url}/api/v1/widget/${randomUUID()}/sessions`, { method: 'POST', headers: { Origin: SITE, 'Content-Type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('cross-origin: the preflight is answered and responses carry Access-Control-Allow-Origin', async () => {
    const pre = await fetch(`${app.url}/api/v1/widget/${channelId}/sessions`, {
      method: 'OPTIONS',
      headers: { Origin: SITE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const res = await openSession();
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
  });

  it('a returning visitor with the kept token is the same contact with the same thread and history', async () => {
    const { session, threadId } = await visitorWithThread('first visit');
    expect(session.resumed).toBe(false);
    expect(session.online).toBe(false);
    expect(session.channel.greeting).toBe('Hi! How can we help?');
    const again = await openSession({ token: session.token });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ resumed: true, contactId: session.contactId, visitorId: session.visitorId, threadId });
    const history = await widgetGet(again.body.token, `/threads/${threadId}/messages`);
    expect(history.status).toBe(200);
    expect((history.body.items as WidgetMessage[]).map((m) => m.body)).toEqual(['first visit']);

    const named = await fetch(`${app.url}/api/v1/widget/sessions/me`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${again.body.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Anna', email: 'anna@example.test' }),
    });
    expect(named.status).toBe(200);
    expect(await named.json()).toMatchObject({ name: 'Anna', email: 'anna@example.test' });
    const thread = await api<{ contact: { name: string; email: string } }>(app.url, admin, 'GET', `/inbox/threads?channelId=${channelId}&limit=100`);
    expect(JSON.stringify(thread.body)).toContain('anna@example.test');

    const badEmail = await fetch(`${app.url}/api/v1/widget/sessions/me`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${again.body.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-address' }),
    });
    expect(badEmail.status).toBe(400);
  });

  it('the visitor\'s message is an inbox thread for the operators; the same clientId twice is one message', async () => {
    const session = (await openSession()).body;
    const socket = await visitorSocket(session.token);
    const clientId = randomUUID();
    const a = await request<Ack<{ message: WidgetMessage }>>(socket, 'message:send', { clientId, body: 'Do you ship to Kazan?' });
    const b = await request<Ack<{ message: WidgetMessage }>>(socket, 'message:send', { clientId, body: 'Do you ship to Kazan?' });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.message.id).toBe(a.message.id);
    expect(a.message).toMatchObject({ from: 'visitor', body: 'Do you ship to Kazan?' });

    const thread = await eventually(async () => {
      const res = await api<{ items: Array<{ chat: { id: string }; channel: { type: string }; lastMessage?: { body: string } }> }>(app.url, admin, 'GET', `/inbox/threads?channelId=${channelId}&limit=100`);
      return res.body.items.find((t) => t.chat.id === a.message.threadId);
    });
    expect(thread.channel.type).toBe('web');
    expect(thread.lastMessage?.body).toBe('Do you ship to Kazan?');
    const messages = await api<{ items: Array<{ id: string }> }>(app.url, admin, 'GET', `/chats/${a.message.threadId}/messages`);
    expect(messages.body.items.filter((m) => m.id === a.message.id)).toHaveLength(1);
    expect(messages.body.items).toHaveLength(1);

    const blank = await request<Ack<object>>(socket, 'message:send', { clientId: randomUUID(), body: '   ' });
    expect(blank).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('a visitor sending faster than 30 messages a minute is told to wait', async () => {
    const session = (await openSession()).body;
    const socket = await visitorSocket(session.token);
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await request<Ack<object>>(socket, 'message:send', { clientId: randomUUID(), body: `spam ${i}` }));
    expect(answers.slice(0, 30).every((a) => a.ok)).toBe(true);
    expect(answers[30]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });

  it('an operator reply reaches the visitor\'s socket live with the operator\'s name and is marked sent; a note never does', async () => {
    const { session, socket, threadId } = await visitorWithThread('Is anyone there?');
    const inbox = new Inbox(socket);
    // The visitor's typing reaches the operator's socket; the operator's typing reaches the visitor with the name.
    const operator = new Inbox(await connect(app.url, admin.accessToken));
    expect(await request(socket, 'typing', { threadId })).toMatchObject({ ok: true });
    await operator.waitFor('typing', (e: { chatId: string; userId: string }) => e.chatId === threadId && e.userId === session.contactId);
    expect(await request(operator.socket, 'typing', { chatId: threadId })).toMatchObject({ ok: true });
    const [typing] = await inbox.waitFor<{ threadId: string; name: string }>('typing');
    expect(typing).toEqual({ threadId, name: `User ${admin.username}` });
    const note = await send(app.url, admin, threadId, { body: 'internal: VIP customer', internal: true });
    expect(note.status).toBe(201);
    const reply = await send(app.url, admin, threadId, { body: 'Yes, we ship to Kazan' });
    expect(reply.status).toBe(201);

    const [live] = await inbox.waitFor<WidgetMessage>('message:new', (m) => m.from === 'agent');
    expect(live).toMatchObject({ id: reply.body.id, threadId, body: 'Yes, we ship to Kazan', from: 'agent', senderName: `User ${admin.username}` });
    const done = await deliveryOf(app.url, admin, threadId, reply.body.id, ['sent', 'failed', 'unknown']);
    expect(done.delivery).toMatchObject({ state: 'sent', externalId: reply.body.id });

    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.stringify(inbox.events)).not.toContain('VIP customer');
    const history = await request<Ack<{ items: WidgetMessage[] }>>(socket, 'sync', { after: 0 });
    expect(history.ok).toBe(true);
    if (!history.ok) return;
    expect(history.items.map((m) => m.body)).toEqual(['Is anyone there?', 'Yes, we ship to Kazan']);

    // After a reconnect the visitor asks only for what is newer than the last seq seen.
    const later = await send(app.url, admin, threadId, { body: 'Anything else?' });
    await deliveryOf(app.url, admin, threadId, later.body.id, ['sent']);
    const missed = await request<Ack<{ items: WidgetMessage[] }>>(socket, 'sync', { threadId, after: live.seq });
    expect(missed.ok && missed.items.map((m) => m.body)).toEqual(['Anything else?']);

    // An edit and a delete of a sent reply reach the visitor too.
    expect((await api(app.url, admin, 'PATCH', `/messages/${later.body.id}`, { body: 'Anything else I can help with?' })).status).toBe(200);
    const [edited] = await inbox.waitFor<WidgetMessage>('message:updated', (m) => m.id === later.body.id);
    expect(edited.body).toBe('Anything else I can help with?');
    expect((await api(app.url, admin, 'DELETE', `/messages/${later.body.id}`)).status).toBe(204);
    const [deleted] = await inbox.waitFor<WidgetMessage>('message:deleted', (m) => m.id === later.body.id);
    expect(deleted.body).toBeNull();
    operator.socket.disconnect();
  });

  it('a visitor token reaches only its own thread: another visitor\'s thread is 404 over REST and over the socket', async () => {
    const a = await visitorWithThread('visitor A secret');
    const b = await visitorWithThread('visitor B');
    const rest = await widgetGet(b.session.token, `/threads/${a.threadId}/messages`);
    expect(rest.status).toBe(404);
    expect(JSON.stringify(rest.body)).not.toContain('visitor A secret');
    const sync = await request<Ack<object>>(b.socket, 'sync', { threadId: a.threadId, after: 0 });
    expect(sync).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const write = await request<Ack<object>>(b.socket, 'message:send', { threadId: a.threadId, clientId: randomUUID(), body: 'intrusion' });
    expect(write).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const typing = await request<Ack<object>>(b.socket, 'typing', { threadId: a.threadId });
    expect(typing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const aHistory = await widgetGet(a.session.token, `/threads/${a.threadId}/messages`);
    expect(JSON.stringify(aHistory.body)).not.toContain('intrusion');

    // A reply to A is never emitted to B.
    const inboxB = new Inbox(b.socket);
    const reply = await send(app.url, admin, a.threadId, { body: 'only for A' });
    await deliveryOf(app.url, admin, a.threadId, reply.body.id, ['sent']);
    await new Promise((r) => setTimeout(r, 200));
    expect(inboxB.of('message:new')).toHaveLength(0);
  });

  it('a user\'s access token is refused on the /widget namespace and widget routes; a visitor token is refused on user routes and the user socket', async () => {
    await expect(visitorSocket(admin.accessToken)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(visitorSocket(undefined)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    const asUser = await fetch(`${app.url}/api/v1/widget/sessions/me`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${admin.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(asUser.status).toBe(401);

    const { session, threadId } = await visitorWithThread('who am I');
    const chats = await fetch(`${app.url}/api/v1/chats/${threadId}/messages`, { headers: { Authorization: `Bearer ${session.token}` } });
    expect(chats.status).toBe(401);
    const me = await fetch(`${app.url}/api/v1/users/me`, { headers: { Authorization: `Bearer ${session.token}` } });
    expect(me.status).toBe(401);
    await expect(connect(app.url, session.token)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    // The socket refuses a page of a foreign origin even with a valid token.
    await expect(visitorSocket(session.token, 'https://evil.example.test')).rejects.toMatchObject({ data: { code: 'ORIGIN_NOT_ALLOWED' } });
  });

  it('a visitor sends an image through the presigned upload path; it reaches the operator, and an operator\'s image reaches the visitor', async () => {
    const session = (await openSession()).body;
    const auth = { Authorization: `Bearer ${session.token}` };
    const post = (path: string, body?: unknown) =>
      fetch(`${app.url}/api/v1/widget${path}`, {
        method: 'POST',
        headers: body === undefined ? auth : { ...auth, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const tooBig = await post('/uploads', { fileName: 'huge.png', contentType: 'image/png', size: 10 * 1024 * 1024 + 1 });
    expect(tooBig.status).toBe(400);
    expect(JSON.stringify(await tooBig.json())).toContain('10 MB');
    const notImage = await post('/uploads', { fileName: 'a.pdf', contentType: 'application/pdf', size: 100 });
    expect(notImage.status).toBe(400);

    const bytes = await png(64, 48);
    const created = await post('/uploads', { fileName: 'bike.png', contentType: 'image/png', size: bytes.length });
    expect(created.status).toBe(201);
    const upload = (await created.json()) as { id: string; upload: { method: 'POST'; url: string; fields: Record<string, string> } };
    expect((await sendBytes({ id: upload.id, key: upload.upload.fields.key ?? '', instructions: upload.upload }, bytes, 'image/png')).ok).toBe(true);
    const done = await post(`/uploads/${upload.id}/complete`);
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ status: 'ready', contentType: 'image/png' });

    const socket = await visitorSocket(session.token);
    const ack = await request<Ack<{ message: WidgetMessage & { attachments: Array<{ id: string }> } }>>(socket, 'message:send', { clientId: randomUUID(), attachmentIds: [upload.id] });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.message.attachments.map((a) => a.id)).toEqual([upload.id]);
    const threadId = ack.message.threadId;
    const seen = await api<{ items: Array<{ id: string; attachments: Array<{ id: string }> }> }>(app.url, admin, 'GET', `/chats/${threadId}/messages`);
    expect(seen.body.items.find((m) => m.id === ack.message.id)?.attachments.map((a) => a.id)).toEqual([upload.id]);
    const url = await fetch(`${app.url}/api/v1/widget/attachments/${upload.id}`, { headers: auth });
    expect(url.status).toBe(200);
    expect(((await url.json()) as { url: string }).url).toMatch(/^http/);

    // Another visitor cannot use or see this upload.
    const other = (await openSession()).body;
    const foreign = await fetch(`${app.url}/api/v1/widget/attachments/${upload.id}`, { headers: { Authorization: `Bearer ${other.token}` } });
    expect(foreign.status).toBe(404);

    // The operator answers with an image; a note's image never becomes visible to the visitor.
    const inbox = new Inbox(socket);
    const operatorFile = await uploadFile(admin, threadId, await png(32, 32), 'size-chart.png', 'image/png');
    const reply = await send(app.url, admin, threadId, { body: 'Here is the size chart', attachmentIds: [operatorFile.id] });
    expect(reply.status).toBe(201);
    const [live] = await inbox.waitFor<WidgetMessage>('message:new', (m) => m.from === 'agent');
    expect(live.attachments.map((a) => a.fileName)).toEqual(['size-chart.png']);
    const noteFile = await uploadFile(admin, threadId, await png(16, 16), 'internal.png', 'image/png');
    await send(app.url, admin, threadId, { body: 'internal', internal: true, attachmentIds: [noteFile.id] });
    const hidden = await fetch(`${app.url}/api/v1/widget/attachments/${noteFile.id}`, { headers: auth });
    expect(hidden.status).toBe(404);
  });

  it('online says whether anyone of the channel is connected, so the widget can offer to answer by e-mail', async () => {
    await eventually(async () => (await openSession()).body.online === false, 5000, 'offline');
    const operator = await connect(app.url, admin.accessToken);
    await eventually(async () => (await openSession()).body.online === true, 5000, 'online');
    operator.disconnect();
  });

  it('sessions are rate-limited per IP: 429 with Retry-After', async () => {
    const from = nextIp();
    for (let i = 0; i < SESSIONS_PER_WINDOW; i++) expect((await openSession({}, SITE, from)).status).toBe(201);
    const over = await openSession({}, SITE, from);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
    expect(over.body.code).toBe('RATE_LIMITED');
    expect((await openSession({}, SITE, nextIp())).status).toBe(201);
  });
});

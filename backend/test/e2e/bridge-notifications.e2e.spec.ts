import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram';
import { registerUser, type TestUser } from '../helpers/api';
import { metricsAuth, startApp, type TestApp } from '../helpers/app';
import { api, type Channel, eventually, registerAdmin, telegramChannel } from '../helpers/outbound';

/**
 * The notifications API end to end: API keys, idempotency, per-key limits, and the states of the one outbox
 * against the fake Telegram Bot API, including a provider that takes the message and never answers.
 */
describe('notifications API (e2e: the app and fake Telegram)', () => {
  let tg: FakeTelegram;
  let app: TestApp;
  let admin: TestUser;
  let bot: FakeBot;
  let channel: Channel;
  let chat = 910_000;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startApp({
      PUBLIC_URL: 'https://messenger.example.test',
      TELEGRAM_API_URL: tg.url,
      BRIDGE_PROVIDER_TIMEOUT_SECONDS: '2',
      NOTIFICATIONS_PER_MINUTE: '20',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    admin = await registerAdmin(app.url);
    bot = tg.addBot();
    channel = await telegramChannel(app.url, admin, bot);
  });
  afterAll(async () => {
    await app?.close();
    await tg?.close();
  });

  const newKey = async () => {
    const res = await api<{ id: string; key: string }>(app.url, admin, 'POST', '/api-keys', { name: 'shop', scopes: ['notifications:send'] });
    expect(res.status).toBe(201);
    return res.body;
  };
  const call = async (key: string, method: string, path: string, body?: unknown, header: 'bearer' | 'x-api-key' = 'x-api-key') => {
    const res = await fetch(`${app.url}/api/v1${path}`, {
      method,
      headers: {
        ...(header === 'bearer' ? { Authorization: `Bearer ${key}` } : { 'X-Api-Key': key }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  const finalOf = (key: string, id: string) =>
    eventually(async () => {
      const res = await call(key, 'GET', `/notifications/${id}`);
      return ['sent', 'failed', 'blocked', 'unknown'].includes(res.body.status) ? res.body : undefined;
    }, 30_000, `notification ${id} final`);

  it('API keys: admins only, the key shown once and never listed, revoked keys refused', async () => {
    const user = await registerUser(app.url);
    expect((await api(app.url, user, 'POST', '/api-keys', { name: 'x', scopes: ['notifications:send'] })).status).toBe(403);
    expect((await api(app.url, admin, 'POST', '/api-keys', { name: 'x', scopes: ['everything'] })).status).toBe(400);
    const created = await newKey();
    expect(created.key).toMatch(/^mk_/);
    const list = await api<{ items: Array<Record<string, unknown>> }>(app.url, admin, 'GET', '/api-keys');
    const listed = list.body.items.find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'shop', scopes: ['notifications:send'], revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    // Both ways of presenting it work; a wrong one does not.
    expect((await call(created.key, 'GET', '/notifications', undefined, 'bearer')).status).toBe(200);
    expect((await call(created.key, 'GET', '/notifications')).status).toBe(200);
    expect((await call(`${created.key}x`, 'GET', '/notifications')).status).toBe(401);
    expect((await fetch(`${app.url}/api/v1/notifications`)).status).toBe(401);
    // A user's access token is not an API key.
    expect((await call(admin.accessToken, 'GET', '/notifications', undefined, 'bearer')).status).toBe(401);
    expect((await api(app.url, admin, 'DELETE', `/api-keys/${created.id}`)).status).toBe(204);
    expect((await call(created.key, 'GET', '/notifications')).status).toBe(401);
  });

  it('the same idempotencyKey twice: one notification, one send at the fake; another body: 409 IDEMPOTENCY_CONFLICT', async () => {
    const { key } = await newKey();
    const chatId = String(++chat);
    const body = { idempotencyKey: 'order-1-paid', channelId: channel.id, chatId, text: 'Your order #1 is paid' };
    const first = await call(key, 'POST', '/notifications', body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: expect.any(String), status: 'queued' });
    const [second, third] = await Promise.all([call(key, 'POST', '/notifications', body), call(key, 'POST', '/notifications', { ...body })]);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(third.body.id).toBe(first.body.id);
    const conflict = await call(key, 'POST', '/notifications', { ...body, text: 'Your order #1 is refunded' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');

    const done = await finalOf(key, first.body.id);
    expect(done).toMatchObject({ id: first.body.id, status: 'sent', attempts: 1, chatId, telegramMessageId: expect.any(String), sentAt: expect.any(String) });
    await new Promise((r) => setTimeout(r, 1000));
    const sent = bot.sent.filter((s) => s.chatId === chatId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'sendMessage', text: 'Your order #1 is paid' });
    expect(done.telegramMessageId).toBe(String(sent[0].messageId));
    // After it was sent, the same request still answers with the same id (and its status now).
    const later = await call(key, 'POST', '/notifications', body);
    expect(later).toMatchObject({ status: 200, body: { id: first.body.id, status: 'sent' } });
    // Another key has its own idempotency space and cannot read this one's notifications.
    const other = await newKey();
    expect((await call(other.key, 'GET', `/notifications/${first.body.id}`)).status).toBe(404);
    const own = await call(other.key, 'POST', '/notifications', body);
    expect(own.status).toBe(202);
    expect(own.body.id).not.toBe(first.body.id);
  });

  it('bad input names the field; an unknown channel is 404; text over the channel limit is 422', async () => {
    const { key } = await newKey();
    const missing = await call(key, 'POST', '/notifications', { idempotencyKey: 'a', channelId: channel.id, text: 'hi' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('chatId');
    const policy = await call(key, 'POST', '/notifications', { idempotencyKey: 'b', channelId: channel.id, chatId: '1', text: 'hi', policy: 'exactly-once' });
    expect(policy.status).toBe(400);
    expect(JSON.stringify(policy.body)).toContain('policy');
    const unknownChannel = await call(key, 'POST', '/notifications', { idempotencyKey: 'c', channelId: '00000000-0000-4000-8000-000000000000', chatId: '1', text: 'hi' });
    expect(unknownChannel.status).toBe(404);
  });

  it('a customer who blocked the bot: blocked, no retry', async () => {
    const { key } = await newKey();
    const chatId = String(++chat);
    bot.blockedBy(chatId, 'blocked');
    const res = await call(key, 'POST', '/notifications', { idempotencyKey: 'n1', channelId: channel.id, chatId, text: 'ping' });
    const done = await finalOf(key, res.body.id);
    expect(done).toMatchObject({ status: 'blocked', error: { code: 'BLOCKED', message: expect.stringContaining('blocked') } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(bot.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === chatId)).toHaveLength(1);
    bot.blockedBy(chatId, null);
  });

  it('a provider that takes the message and never answers: at-most-once ends unknown with no resend', async () => {
    const { key } = await newKey();
    const chatId = String(++chat);
    bot.fault('sendMessage', { kind: 'hang-after-accept', ms: 300 }, 1);
    const res = await call(key, 'POST', '/notifications', { idempotencyKey: 'amo', channelId: channel.id, chatId, text: 'did this arrive?' });
    const done = await finalOf(key, res.body.id);
    expect(done).toMatchObject({ status: 'unknown', policy: 'at-most-once', error: { code: expect.any(String) } });
    await new Promise((r) => setTimeout(r, 2500));
    expect(bot.sent.filter((s) => s.chatId === chatId)).toHaveLength(1);
    expect((await call(key, 'GET', `/notifications/${res.body.id}`)).body.status).toBe('unknown');
  });

  it('at-least-once: exactly one resend after an unknown outcome, counted as a possible duplicate', async () => {
    const { key } = await newKey();
    const metric = async () => {
      const text = await (await fetch(`${app.url}/metrics`, { headers: metricsAuth })).text();
      const line = text.split('\n').find((l) => l.startsWith('bridge_possible_duplicates_total{') && l.includes('kind="notification"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await metric();
    // The resend hangs too: it stays unknown, and nothing is sent a third time.
    const chatId = String(++chat);
    bot.fault('sendMessage', { kind: 'hang-after-accept', ms: 300 }, 2);
    const res = await call(key, 'POST', '/notifications', { idempotencyKey: 'alo-1', channelId: channel.id, chatId, text: 'must arrive', policy: 'at-least-once' });
    const done = await finalOf(key, res.body.id);
    expect(done).toMatchObject({ status: 'unknown', policy: 'at-least-once', attempts: 2 });
    await new Promise((r) => setTimeout(r, 2500));
    expect(bot.sent.filter((s) => s.chatId === chatId)).toHaveLength(2);

    // The resend goes through: sent, and the customer may have it twice.
    const chatId2 = String(++chat);
    bot.fault('sendMessage', { kind: 'hang-after-accept', ms: 300 }, 1);
    const res2 = await call(key, 'POST', '/notifications', { idempotencyKey: 'alo-2', channelId: channel.id, chatId: chatId2, text: 'must arrive', policy: 'at-least-once' });
    expect(await finalOf(key, res2.body.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(bot.sent.filter((s) => s.chatId === chatId2)).toHaveLength(2);
    expect((await metric()) - before).toBe(2);
  });

  it('lists by status with a cursor, and holds a per-key limit with 429 and Retry-After', async () => {
    const { key } = await newKey();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(key, 'POST', '/notifications', { idempotencyKey: `l${i}`, channelId: channel.id, chatId: String(++chat), text: `n${i}` });
      ids.push(res.body.id);
    }
    for (const id of ids) await finalOf(key, id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await call(key, 'GET', `/notifications?status=sent&limit=2${cursor ? `&cursor=${cursor}` : ''}`)) as unknown as { body: { items: Array<{ id: string }>; nextCursor: string | null } };
      seen.push(...page.body.items.map((n) => n.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await call(key, 'GET', '/notifications?status=unknown')).body.items).toEqual([]);
    expect((await call(key, 'GET', '/notifications?status=nope')).status).toBe(400);
    expect((await call(key, 'GET', '/notifications?cursor=garbage')).status).toBe(400);

    // 5 sent above; the limit is 20 a minute for this key.
    const results = [];
    for (let i = 0; i < 16; i++) results.push(await call(key, 'POST', '/notifications', { idempotencyKey: `r${i}`, channelId: channel.id, chatId: String(++chat), text: 'r' }));
    expect(results.slice(0, 15).every((r) => r.status === 202)).toBe(true);
    expect(results[15].status).toBe(429);
    expect(Number(results[15].headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAvito, type FakeAvito, type FakeAvitoAccount } from '../fakes/avito';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram';
import type { TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import {
  api,
  avitoChannel,
  avitoThread,
  avitoWebhook,
  type Channel,
  type DeliveredMessage,
  deliveryOf,
  eventually,
  messageIn,
  registerAdmin,
  send,
  telegramChannel,
  telegramThread,
} from '../helpers/outbound';
import { connect, closeAllSockets, Inbox, request } from '../helpers/socket';
import { png, uploadFile } from '../helpers/uploads';

/**
 * Operator replies in inbox threads reaching the fake Telegram Bot API and the fake Avito API through the
 * outbox, the limiter and the sender, with every delivery state visible on the message.
 */
describe('outbound delivery (e2e: the app, fake Telegram and fake Avito)', () => {
  let tg: FakeTelegram;
  let avito: FakeAvito;
  let app: TestApp;
  let admin: TestUser;
  let bot: FakeBot;
  let tgChannel: Channel;
  let account: FakeAvitoAccount;
  let avChannel: Channel;
  let customer = 700_000;

  beforeAll(async () => {
    [tg, avito] = await Promise.all([startFakeTelegram(), startFakeAvito()]);
    app = await startApp({
      PUBLIC_URL: 'https://messenger.example.test',
      TELEGRAM_API_URL: tg.url,
      AVITO_API_URL: avito.url,
      BRIDGE_PROVIDER_TIMEOUT_SECONDS: '2',
      AVITO_SENDS_PER_MINUTE: '600',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    admin = await registerAdmin(app.url);
    bot = tg.addBot();
    tgChannel = await telegramChannel(app.url, admin, bot);
    account = avito.addAccount();
    avChannel = await avitoChannel(app.url, admin, account);
  });
  afterAll(async () => {
    closeAllSockets();
    await app?.close();
    await Promise.all([tg?.close(), avito?.close()]);
  });

  const newTelegramThread = async () => {
    const customerId = ++customer;
    return { customerId, chatId: await telegramThread(app.url, admin, bot, tgChannel, customerId) };
  };

  it('an operator reply reaches the Telegram customer as sendMessage, and the message shows sent with the id', async () => {
    const { customerId, chatId } = await newTelegramThread();
    const res = await send(app.url, admin, chatId, { body: 'Hello from the shop' });
    expect(res.status).toBe(201);
    expect(res.body.delivery).toMatchObject({ state: 'queued' });
    const done = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent', 'failed', 'blocked', 'unknown']);
    expect(done.delivery!.state).toBe('sent');
    const sent = bot.sent.filter((s) => s.chatId === String(customerId));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'sendMessage', text: 'Hello from the shop' });
    expect(done.delivery!.externalId).toBe(String(sent[0].messageId));
  });

  it('a reply sent over the socket: each delivery state reaches the operators live and through /sync; a note over the socket stays inside', async () => {
    const { customerId, chatId } = await newTelegramThread();
    const cursor = (await api<{ cursor: string }>(app.url, admin, 'GET', '/sync')).body.cursor;
    const socket = await connect(app.url, admin.accessToken);
    const inbox = new Inbox(socket);
    const note = await request<{ ok: boolean; message: DeliveredMessage }>(socket, 'message:send', { chatId, clientId: randomUUID(), body: 'a note', internal: true });
    expect(note).toMatchObject({ ok: true, message: { internal: true } });
    const ack = await request<{ ok: boolean; message: DeliveredMessage }>(socket, 'message:send', { chatId, clientId: randomUUID(), body: 'over the socket' });
    expect(ack).toMatchObject({ ok: true, message: { delivery: { state: 'queued' } } });
    const updates = await inbox.waitFor<DeliveredMessage>('message:updated', (m) => m.id === ack.message.id && m.delivery?.state === 'sent', 1, 15_000);
    expect(updates[0].delivery!.externalId).toBe(String(bot.sent.find((x) => x.chatId === String(customerId))!.messageId));
    const states = inbox.of<DeliveredMessage>('message:updated').filter((m) => m.id === ack.message.id).map((m) => m.delivery!.state);
    expect(states).toEqual(['sending', 'sent']);
    const sync = await api<{ messages: DeliveredMessage[] }>(app.url, admin, 'GET', `/sync?since=${encodeURIComponent(cursor)}`);
    expect(sync.body.messages.find((m) => m.id === ack.message.id)?.delivery).toMatchObject({ state: 'sent', externalId: updates[0].delivery!.externalId });
    expect(bot.sent.filter((x) => x.chatId === String(customerId)).map((x) => x.text)).toEqual(['over the socket']);
  });

  it('an operator reply reaches the Avito customer with the documented body', async () => {
    const { avitoChatId, chatId } = await avitoThread(app.url, admin, account, avChannel);
    const res = await send(app.url, admin, chatId, { body: 'Yes, still for sale' });
    expect(res.status).toBe(201);
    const done = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent', 'failed', 'blocked', 'unknown']);
    expect(done.delivery!.state).toBe('sent');
    const call = account.calls.find((c) => c.method === 'POST' && c.path === `/messenger/v1/accounts/${account.userId}/chats/${avitoChatId}/messages`);
    expect(call?.body).toEqual({ message: { text: 'Yes, still for sale' }, type: 'text' });
    expect(account.sent.filter((s) => s.chatId === avitoChatId)).toEqual([expect.objectContaining({ type: 'text', text: 'Yes, still for sale' })]);
  });

  it("Avito's echo of our reply is linked to it, not stored a second time", async () => {
    const { avitoChatId, chatId } = await avitoThread(app.url, admin, account, avChannel);
    account.echoes(true);
    try {
      const res = await send(app.url, admin, chatId, { body: 'echo me' });
      await deliveryOf(app.url, admin, chatId, res.body.id, ['sent']);
      const echo = await eventually(async () => account.deliveries.find((d) => JSON.stringify(d.body).includes('echo me')), 10_000, 'the echo webhook');
      expect(await avitoWebhook(app.url, account, echo.body)).toBe(200);
      // The echo's job runs after its webhook; give it time to (wrongly) add a copy.
      await new Promise((r) => setTimeout(r, 2000));
      const items = (await api<{ items: DeliveredMessage[] }>(app.url, admin, 'GET', `/chats/${chatId}/messages`)).body.items;
      expect(items.filter((m) => m.body === 'echo me').map((m) => m.id)).toEqual([res.body.id]);
      expect(account.sent.filter((x) => x.chatId === avitoChatId)).toHaveLength(1);
    } finally {
      account.echoes(false);
    }
  });

  it('an internal note is stored and shown, but never reaches either fake', async () => {
    const { customerId, chatId } = await newTelegramThread();
    const { chatId: avitoThreadChat, avitoChatId } = await avitoThread(app.url, admin, account, avChannel);
    for (const chat of [chatId, avitoThreadChat]) {
      const note = await send(app.url, admin, chat, { body: 'customer sounds angry', internal: true });
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({ internal: true, body: 'customer sounds angry' });
      expect(note.body.delivery).toBeUndefined();
      // A reply sent after the note is delivered; by then the note would have gone first, had it gone at all.
      const reply = await send(app.url, admin, chat, { body: 'after the note' });
      await deliveryOf(app.url, admin, chat, reply.body.id, ['sent']);
      expect((await messageIn(app.url, admin, chat, note.body.id))?.delivery).toBeUndefined();
    }
    expect(bot.sent.filter((s) => s.chatId === String(customerId)).map((s) => s.text)).toEqual(['after the note']);
    expect(account.sent.filter((s) => s.chatId === avitoChatId).map((s) => s.text)).toEqual(['after the note']);
    expect(JSON.stringify(bot.calls)).not.toContain('customer sounds angry');
    expect(JSON.stringify(account.calls)).not.toContain('customer sounds angry');
  });

  it('a customer who blocked the bot: blocked, with the reason, and no retry', async () => {
    const { customerId, chatId } = await newTelegramThread();
    bot.fault('sendMessage', { kind: 'blocked' }, 1);
    const res = await send(app.url, admin, chatId, { body: 'are you there?' });
    const done = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent', 'failed', 'blocked', 'unknown']);
    expect(done.delivery).toMatchObject({ state: 'blocked', error: { code: 'BLOCKED', message: expect.stringContaining('blocked') } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(bot.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(customerId))).toHaveLength(1);
  });

  it("another 4xx: failed with the provider's description, no retry; redelivery sends it on purpose", async () => {
    const { customerId, chatId } = await newTelegramThread();
    bot.fault('sendMessage', { kind: 'parse-entities' }, 1);
    const res = await send(app.url, admin, chatId, { body: 'price <b>100' });
    const failed = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent', 'failed', 'blocked', 'unknown']);
    expect(failed.delivery).toMatchObject({ state: 'failed', error: { code: 'HTTP_400', message: expect.stringContaining("can't parse entities") } });

    const again = await api<{ delivery?: { state: string } }>(app.url, admin, 'POST', `/messages/${res.body.id}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.body.delivery?.state).toBe('queued');
    const sent = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent']);
    expect(sent.delivery!.error).toBeUndefined();
    expect(bot.sent.filter((s) => s.chatId === String(customerId))).toHaveLength(1);
    // Only failed or unknown deliveries go again.
    expect((await api(app.url, admin, 'POST', `/messages/${res.body.id}/redeliver`)).status).toBe(409);
  });

  it('a provider that accepts the request and never answers: unknown, and it is not resent', async () => {
    const { customerId, chatId } = await newTelegramThread();
    bot.fault('sendMessage', { kind: 'hang-after-accept', ms: 300 }, 1);
    const res = await send(app.url, admin, chatId, { body: 'did this arrive?' });
    const done = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent', 'failed', 'blocked', 'unknown']);
    expect(done.delivery!.state).toBe('unknown');
    await new Promise((r) => setTimeout(r, 2500));
    // The fake took it once; nothing tried again.
    expect(bot.sent.filter((s) => s.chatId === String(customerId))).toHaveLength(1);
    expect((await messageIn(app.url, admin, chatId, res.body.id))!.delivery!.state).toBe('unknown');
  });

  it('a 5xx is retried with backoff and then sent', async () => {
    const { customerId, chatId } = await newTelegramThread();
    bot.fault('sendMessage', { kind: 'server-error', status: 502 }, 1);
    const res = await send(app.url, admin, chatId, { body: 'second time lucky' });
    const done = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent', 'failed', 'blocked', 'unknown']);
    expect(done.delivery!.state).toBe('sent');
    expect(bot.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(customerId))).toHaveLength(2);
  });

  it('a 429 pauses the whole bot until retry_after: no call before it, then both chats go out', async () => {
    const a = await newTelegramThread();
    const b = await newTelegramThread();
    bot.fault('sendMessage', { kind: 'rate-limit', retryAfter: 2 }, 1);
    const first = await send(app.url, admin, a.chatId, { body: 'first' });
    // The operator sees why it waits; by then the bot is paused.
    const held = await eventually(async () => {
      const m = await messageIn(app.url, admin, a.chatId, first.body.id);
      return m?.delivery?.state === 'queued' && m.delivery.error?.code === 'RATE_LIMITED' ? m : undefined;
    }, 10_000, 'the 429');
    expect(held.delivery!.error!.message).toContain('retry after 2');
    const limitedAt = bot.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(a.customerId)).at(-1)!.at;
    const second = await send(app.url, admin, b.chatId, { body: 'second' });
    await deliveryOf(app.url, admin, a.chatId, first.body.id, ['sent']);
    await deliveryOf(app.url, admin, b.chatId, second.body.id, ['sent']);
    const after = bot.calls.filter((c) => c.at > limitedAt);
    expect(after.length).toBeGreaterThanOrEqual(2);
    // The fake's clock and Redis' agree on one machine; 50 ms covers the rounding of the two.
    for (const call of after) expect(call.at - limitedAt).toBeGreaterThanOrEqual(2000 - 50);
  });

  it('refuses what the channel cannot take with 422 CHANNEL_LIMIT naming the limit, storing and sending nothing', async () => {
    const { avitoChatId, chatId } = await avitoThread(app.url, admin, account, avChannel);
    const before = (await api<{ items: unknown[] }>(app.url, admin, 'GET', `/chats/${chatId}/messages`)).body.items.length;

    const long = await send(app.url, admin, chatId, { body: 'x'.repeat(1001) });
    expect(long.status).toBe(422);
    expect(long.body).toMatchObject({ code: 'CHANNEL_LIMIT', limit: 'maxTextLength' });
    expect(long.body.message).toContain('1000');

    const pdf = await uploadFile(admin, chatId, Buffer.from('%PDF-1.4 a small document'), 'terms.pdf', 'application/pdf');
    const file = await send(app.url, admin, chatId, { attachmentIds: [pdf.id] });
    expect(file.status).toBe(422);
    expect(file.body).toMatchObject({ code: 'CHANNEL_LIMIT', limit: 'attachments' });

    const ok = await send(app.url, admin, chatId, { body: 'short' });
    await deliveryOf(app.url, admin, chatId, ok.body.id, ['sent']);
    const edit = await api<{ code: string; limit: string }>(app.url, admin, 'PATCH', `/messages/${ok.body.id}`, { body: 'edited' });
    expect(edit.status).toBe(422);
    expect(edit.body).toMatchObject({ code: 'CHANNEL_LIMIT', limit: 'canEdit' });
    expect((await messageIn(app.url, admin, chatId, ok.body.id))!.body).toBe('short');

    const after = (await api<{ items: unknown[] }>(app.url, admin, 'GET', `/chats/${chatId}/messages`)).body.items.length;
    expect(after).toBe(before + 1);
    expect(account.sent.filter((s) => s.chatId === avitoChatId).map((s) => s.text)).toEqual(['short']);

    // Telegram takes 4096 characters; our own composer limit (4000) is below it, so a long text goes out.
    const t = await newTelegramThread();
    const big = await send(app.url, admin, t.chatId, { body: 'y'.repeat(4000) });
    expect(big.status).toBe(201);
  });

  it('files go out by multipart: Telegram sendPhoto with the caption, Avito uploadImages then messages/image', async () => {
    const image = await png(64, 48);
    const t = await newTelegramThread();
    const photo = await uploadFile(admin, t.chatId, image, 'shelf.png', 'image/png');
    const tgSend = await send(app.url, admin, t.chatId, { body: 'this one', attachmentIds: [photo.id] });
    expect(tgSend.status).toBe(201);
    await deliveryOf(app.url, admin, t.chatId, tgSend.body.id, ['sent']);
    const tgSent = bot.sent.filter((s) => s.chatId === String(t.customerId));
    expect(tgSent).toEqual([expect.objectContaining({ method: 'sendPhoto', caption: 'this one' })]);
    const call = bot.calls.find((c) => c.method === 'sendPhoto' && String(c.params.chat_id) === String(t.customerId));
    expect(call!.files).toEqual([expect.objectContaining({ field: 'photo', name: 'shelf.png', size: image.length })]);

    const a = await avitoThread(app.url, admin, account, avChannel);
    const avPhoto = await uploadFile(admin, a.chatId, image, 'item.png', 'image/png');
    const avSend = await send(app.url, admin, a.chatId, { body: 'photo of the item', attachmentIds: [avPhoto.id] });
    await deliveryOf(app.url, admin, a.chatId, avSend.body.id, ['sent']);
    expect(account.calls.some((c) => c.method === 'POST' && c.path === `/messenger/v1/accounts/${account.userId}/uploadImages`)).toBe(true);
    expect(account.sent.filter((s) => s.chatId === a.avitoChatId).map((s) => s.type)).toEqual(['text', 'image']);
  });

  it("a thread whose channel was deleted takes internal notes only: a reply is refused with 409, nothing stored or sent", async () => {
    const gone = tg.addBot();
    const channel = await telegramChannel(app.url, admin, gone);
    const chatId = await telegramThread(app.url, admin, gone, channel, 990_001);
    expect((await api(app.url, admin, 'DELETE', `/channels/${channel.id}`)).status).toBe(204);
    const reply = await send(app.url, admin, chatId, { body: 'anyone there?' });
    expect(reply.status).toBe(409);
    expect(reply.body.message).toContain('deleted');
    expect((await send(app.url, admin, chatId, { body: 'channel closed', internal: true })).status).toBe(201);
    const bodies = (await api<{ items: DeliveredMessage[] }>(app.url, admin, 'GET', `/chats/${chatId}/messages`)).body.items.map((m) => m.body);
    expect(bodies).not.toContain('anyone there?');
    expect(gone.sent).toHaveLength(0);
  });

  it('edits and deletes go to Telegram', async () => {
    const { customerId, chatId } = await newTelegramThread();
    const res = await send(app.url, admin, chatId, { body: 'price is 100' });
    const sent = await deliveryOf(app.url, admin, chatId, res.body.id, ['sent']);
    const edit = await api(app.url, admin, 'PATCH', `/messages/${res.body.id}`, { body: 'price is 90' });
    expect(edit.status).toBe(200);
    await eventually(async () => bot.edited.find((e) => e.chatId === String(customerId)), 15_000, 'the edit at the fake');
    expect(bot.edited.filter((e) => e.chatId === String(customerId))).toEqual([
      expect.objectContaining({ messageId: Number(sent.delivery!.externalId), text: 'price is 90' }),
    ]);
    expect((await api(app.url, admin, 'DELETE', `/messages/${res.body.id}`)).status).toBe(204);
    await eventually(async () => bot.deleted.find((d) => d.chatId === String(customerId)), 15_000, 'the delete at the fake');
    expect(bot.deleted.filter((d) => d.chatId === String(customerId))).toEqual([expect.objectContaining({ messageId: Number(sent.delivery!.externalId) })]);
  });
});

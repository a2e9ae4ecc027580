import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeAvito, type FakeAvito, type FakeAvitoAccount } from '../fakes/avito';
import { startFakeLlm, type FakeLlm } from '../fakes/llm';
import { startFakeTelegram, type FakeBot, type FakeTelegram, type TelegramSent } from '../fakes/telegram';
import { registerUser, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { api, avitoChannel, avitoWebhook, type Channel, eventually, registerAdmin } from '../helpers/outbound';

const PUBLIC_URL = 'https://messenger.example.test';
const REDIS_PREFIX = `alerts${randomUUID().slice(0, 8)}`;

interface Card {
  sent: TelegramSent;
  take: string;
  open: string;
}

/**
 * Operator alert cards on Telegram: an Avito customer's message becomes a card from the alert bot to every linked
 * operator who may work the thread; "Take" assigns; a reply to a card reaches the customer as the operator's message.
 */
describe('operator alert cards (e2e: the app, fake Telegram and fake Avito)', () => {
  let tg: FakeTelegram;
  let avito: FakeAvito;
  let llm: FakeLlm;
  let app: TestApp;
  let admin: TestUser;
  let alertBot: FakeBot;
  let alertChannel: Channel;
  let account: FakeAvitoAccount;
  let shop: Channel;
  const ops: Array<TestUser & { tg: number; name: string }> = [];
  let muted: TestUser & { tg: number };
  let assignedOnly: TestUser & { tg: number };
  const base = 8_100_000 + Math.floor(Math.random() * 100_000) * 10;

  const writeToBot = async (update: Record<string, unknown>) => {
    const res = await fetch(`${app.url}${new URL(alertBot.webhook!.url).pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': alertBot.webhook!.secretToken! },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
  };
  const botSaid = (chatId: number, text: string) =>
    eventually(async () => alertBot.sent.find((s) => s.chatId === String(chatId) && s.text?.includes(text)), 20_000, `the bot saying "${text}" to ${chatId}`);
  const linked = async (user: TestUser, telegramId: number) => {
    const res = await api<{ code: string }>(app.url, user, 'POST', '/users/me/telegram-link', { channelId: alertChannel.id });
    expect(res.status).toBe(201);
    await writeToBot(alertBot.update('text', { from: { id: telegramId, firstName: 'Op' }, text: `/start ${res.body.code}` }));
    await botSaid(telegramId, 'Linked to');
    return { ...user, tg: telegramId };
  };
  const cardsTo = (telegramId: number, marker: string): Card[] =>
    alertBot.sent
      .filter((s) => s.chatId === String(telegramId) && s.text?.includes(marker))
      .map((sent) => {
        const [row] = (sent.replyMarkup as { inline_keyboard: Array<Array<{ text: string; callback_data?: string; url?: string }>> }).inline_keyboard;
        return { sent, take: row.find((b) => b.text === 'Take')!.callback_data!, open: row.find((b) => b.text === 'Open')!.url! };
      });
  const cardFor = (telegramId: number, marker: string, what: string) => eventually(async () => cardsTo(telegramId, marker)[0], 20_000, what);
  /** An Avito customer writes in a new chat; resolves once the thread exists. */
  const customerWrites = async (text = `Is it still available? ${randomUUID()}`) => {
    const avitoChatId = account.addChat({ customerName: 'Мария' });
    const body = await account.customerMessage(avitoChatId, { text }, { deliver: false });
    expect(await avitoWebhook(app.url, account, body)).toBe(200);
    const chatId = await eventually(
      async () => (await api<{ items: Array<{ chat: { id: string }; lastMessage?: { body?: string } }> }>(app.url, admin, 'GET', `/inbox/threads?channelId=${shop.id}&limit=100`)).body.items.find((t) => t.lastMessage?.body === text)?.chat.id,
      30_000,
      'the thread',
    );
    return { avitoChatId, chatId, text, body };
  };
  const thread = async (chatId: string) =>
    (await api<{ items: Array<{ chat: { id: string }; assigneeId: string | null }> }>(app.url, admin, 'GET', `/inbox/threads?channelId=${shop.id}&limit=100`)).body.items.find(
      (t) => t.chat.id === chatId,
    );

  beforeAll(async () => {
    [tg, avito, llm] = await Promise.all([startFakeTelegram(), startFakeAvito(), startFakeLlm({ apiKey: 'alerts-ai-key' })]);
    app = await startApp({
      PUBLIC_URL,
      REDIS_PREFIX,
      TELEGRAM_API_URL: tg.url,
      AVITO_API_URL: avito.url,
      AVITO_SENDS_PER_MINUTE: '600',
      AI_BASE_URL: llm.url,
      AI_API_KEY: 'alerts-ai-key',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    admin = await registerAdmin(app.url);
    alertBot = tg.addBot({ username: 'shop_alerts_bot' });
    const created = await api<Channel & { operatorAlerts: boolean }>(app.url, admin, 'POST', '/channels', { type: 'telegram', name: 'Alerts', botToken: alertBot.token, operatorAlerts: true });
    expect(created.status).toBe(201);
    expect(created.body.operatorAlerts).toBe(true);
    alertChannel = created.body;
    account = avito.addAccount();
    shop = await avitoChannel(app.url, admin, account);

    const people = await Promise.all([0, 1, 2, 3].map(() => registerUser(app.url)));
    const everyone = [...people.map((p) => p.id)];
    expect((await api(app.url, admin, 'PUT', `/channels/${shop.id}/operators`, { userIds: everyone })).status).toBe(200);
    expect((await api(app.url, admin, 'PUT', `/channels/${alertChannel.id}/operators`, { userIds: everyone })).status).toBe(200);
    for (const [i, person] of people.slice(0, 2).entries()) {
      const me = await api<{ displayName: string }>(app.url, person, 'GET', '/users/me');
      ops.push({ ...(await linked(person, base + i)), name: me.body.displayName });
    }
    muted = await linked(people[2], base + 2);
    expect((await api(app.url, muted, 'PATCH', '/users/me/alert-settings', { muted: true })).body).toEqual({ threads: 'assigned+unassigned', muted: true });
    assignedOnly = await linked(people[3], base + 3);
    expect((await api(app.url, assignedOnly, 'PATCH', '/users/me/alert-settings', { threads: 'assigned' })).body).toEqual({ threads: 'assigned', muted: false });
  });
  afterAll(async () => {
    if (alertChannel && admin) await api(app.url, admin, 'DELETE', `/channels/${alertChannel.id}`).catch(() => undefined);
    await app?.close();
    await Promise.all([tg?.close(), avito?.close(), llm?.close()]);
  });

  it('settings: defaults, a partial PATCH keeps the rest, a bad value is a 400 naming the field', async () => {
    const user = await registerUser(app.url);
    expect((await api(app.url, user, 'GET', '/users/me/alert-settings')).body).toEqual({ threads: 'assigned+unassigned', muted: false });
    const bad = await api<{ message: string }>(app.url, user, 'PATCH', '/users/me/alert-settings', { threads: 'everything' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('threads');
    expect((await api(app.url, user, 'PATCH', '/users/me/alert-settings', { muted: true })).body).toEqual({ threads: 'assigned+unassigned', muted: true });
    expect((await api(app.url, user, 'GET', '/users/me/alert-settings')).body).toEqual({ threads: 'assigned+unassigned', muted: true });
    const avitoAlerts = await api(app.url, admin, 'PATCH', `/channels/${shop.id}`, { operatorAlerts: true });
    expect(avitoAlerts.status).toBe(400);
  });

  it('an Avito customer message gives one card per eligible operator, once even when the webhook is replayed; muted and assigned-only operators get none', async () => {
    const { chatId, text, body } = await customerWrites();
    for (const op of ops) await eventually(async () => cardsTo(op.tg, text).length > 0, 20_000, `a card for ${op.tg}`);
    // The same event again, from Avito's retry: stored once, so nothing new happens.
    expect(await avitoWebhook(app.url, account, body)).toBe(200);
    // And processed a second time, as after a worker that died before it marked the event done: the job runs again.
    const eventKey = String((body.payload as { value: { id: string } }).value.id);
    const db = new Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    const [{ id: eventId }] = (
      await db.query<{ id: string }>(`UPDATE inbound_events SET result = 'pending', processed_at = NULL WHERE channel_id = $1 AND external_id = $2 RETURNING id`, [shop.id, eventKey])
    ).rows;
    const redis = new Redis(inject('redisUrl'));
    await redis.del(`${REDIS_PREFIX}:bull:bridge-inbound:inbound-${eventId}`);
    await redis.quit();
    expect(await avitoWebhook(app.url, account, body)).toBe(200);
    await eventually(async () => (await db.query(`SELECT 1 FROM inbound_events WHERE id = $1 AND result = 'processed'`, [eventId])).rowCount, 20_000, 'the second processing');
    await db.end();
    await new Promise((r) => setTimeout(r, 1500));
    for (const op of ops) {
      const cards = cardsTo(op.tg, text);
      expect(cards).toHaveLength(1);
      expect(cards[0].sent.text).toContain('Мария');
      expect(cards[0].sent.text).toContain('iPhone 13, 128 ГБ');
      expect(cards[0].sent.text).toContain(`avito ${account.userId}`);
      expect(cards[0].take).toBe(`take:${chatId}`);
      expect(cards[0].open).toBe(`${PUBLIC_URL}/inbox/${chatId}`);
    }
    expect(cardsTo(muted.tg, text)).toHaveLength(0);
    expect(cardsTo(assignedOnly.tg, text)).toHaveLength(0);
  });

  it('a Telegram customer\'s message gives cards too', async () => {
    const text = `Hello from Telegram ${randomUUID()}`;
    await writeToBot(alertBot.update('text', { from: { id: base + 9, firstName: 'Tanya' }, text }));
    for (const op of ops) {
      const card = await cardFor(op.tg, text, `a card for ${op.tg}`);
      expect(card.sent.text).toContain('Tanya');
      expect(card.sent.text).toContain('Alerts');
    }
    expect(cardsTo(muted.tg, text)).toHaveLength(0);
  });

  it('the text on a card is cut to 1,000 characters', async () => {
    const long = `${randomUUID()} ${'x'.repeat(1500)}`;
    const avitoChatId = account.addChat();
    await account.customerMessage(avitoChatId, { text: long }, { deliver: false }).then((b) => avitoWebhook(app.url, account, b));
    const card = await cardFor(ops[0].tg, long.slice(0, 36), 'the long card');
    const shown = card.sent.text!.split('\n\n').slice(1).join('\n\n');
    expect(shown).toHaveLength(1000);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('"Take" assigns the thread to whoever tapped; a second operator is told who took it', async () => {
    const { avitoChatId, chatId, text } = await customerWrites();
    const [first, second] = ops;
    const card1 = await cardFor(first.tg, text, 'card 1');
    const card2 = await cardFor(second.tg, text, 'card 2');

    const tap1 = alertBot.update('callback', { from: { id: first.tg, firstName: 'Op' }, messageId: card1.sent.messageId, callbackData: card1.take });
    await writeToBot(tap1);
    const queryId1 = (tap1.callback_query as { id: string }).id;
    await eventually(async () => alertBot.callbackAnswers.find((a) => a.queryId === queryId1), 20_000, 'the first answer');
    expect(alertBot.callbackAnswers.find((a) => a.queryId === queryId1)?.text).toBe('Taken');
    const assigned = await thread(chatId);
    expect(assigned?.assigneeId).toBe(first.id);

    const tap2 = alertBot.update('callback', { from: { id: second.tg, firstName: 'Op' }, messageId: card2.sent.messageId, callbackData: card2.take });
    await writeToBot(tap2);
    const queryId2 = (tap2.callback_query as { id: string }).id;
    const answer = await eventually(async () => alertBot.callbackAnswers.find((a) => a.queryId === queryId2), 20_000, 'the second answer');
    expect(answer.text).toBe(`Already taken by ${first.name}`);
    const still = await thread(chatId);
    expect(still?.assigneeId).toBe(first.id);

    // Assigned now: the next customer message is the assignee's alone.
    const next = `and the price? ${randomUUID()}`;
    expect(await account.customerMessage(avitoChatId, { text: next }, { deliver: false }).then((b) => avitoWebhook(app.url, account, b))).toBe(200);
    await eventually(async () => cardsTo(first.tg, next).length > 0, 20_000, 'the assignee\'s card');
    await new Promise((r) => setTimeout(r, 1000));
    expect(cardsTo(second.tg, next)).toHaveLength(0);
  });

  it('a reply to a card reaches the Avito customer as the operator\'s message in the thread', async () => {
    const { avitoChatId, chatId, text } = await customerWrites();
    const op = ops[0];
    const card = await cardFor(op.tg, text, 'the card');
    const answer = `Yes, it is available ${randomUUID()}`;
    await writeToBot(alertBot.update('text', { from: { id: op.tg, firstName: 'Op' }, replyTo: card.sent.messageId, text: answer }));
    await eventually(async () => account.sent.find((s) => s.chatId === avitoChatId && s.text === answer), 30_000, 'the reply at Avito');
    const messages = await api<{ items: Array<{ body: string; senderId: string | null }> }>(app.url, admin, 'GET', `/chats/${chatId}/messages`);
    const mine = messages.body.items.find((m) => m.body === answer);
    expect(mine?.senderId).toBe(op.id);
    await eventually(async () => {
      const again = await api<{ items: Array<{ body: string; delivery?: { state: string } }> }>(app.url, admin, 'GET', `/chats/${chatId}/messages`);
      return again.body.items.find((m) => m.body === answer)?.delivery?.state === 'sent';
    }, 20_000, 'the reply shown as sent');
    expect(account.sent.filter((s) => s.chatId === avitoChatId && s.text === answer)).toHaveLength(1);
    // A message to the alert bot that quotes no card is not sent anywhere; the bot says how to answer.
    await writeToBot(alertBot.update('text', { from: { id: op.tg, firstName: 'Op' }, text: 'hello?' }));
    await botSaid(op.tg, 'Reply to an alert card');
  });

  it('an operator who lost access to the thread is told so, and neither the reply nor the take goes through', async () => {
    const { avitoChatId, chatId, text } = await customerWrites();
    const leaving = ops[1];
    const card = await cardFor(leaving.tg, text, 'the card');
    const keep = (await api<{ operatorIds: string[] }>(app.url, admin, 'GET', `/channels/${shop.id}`)).body.operatorIds.filter((id) => id !== leaving.id);
    expect((await api(app.url, admin, 'PUT', `/channels/${shop.id}/operators`, { userIds: keep })).status).toBe(200);
    try {
      const answer = `late answer ${randomUUID()}`;
      await writeToBot(alertBot.update('text', { from: { id: leaving.tg, firstName: 'Op' }, replyTo: card.sent.messageId, text: answer }));
      await botSaid(leaving.tg, 'no longer have access to this thread');
      expect(account.sent.find((s) => s.chatId === avitoChatId && s.text === answer)).toBeUndefined();

      const tap = alertBot.update('callback', { from: { id: leaving.tg, firstName: 'Op' }, messageId: card.sent.messageId, callbackData: card.take });
      await writeToBot(tap);
      const queryId = (tap.callback_query as { id: string }).id;
      const said = await eventually(async () => alertBot.callbackAnswers.find((a) => a.queryId === queryId), 20_000, 'the answer');
      expect(said.text).toBe('You no longer have access to this thread');
      const t = await thread(chatId);
      expect(t?.assigneeId ?? null).not.toBe(leaving.id);
    } finally {
      await api(app.url, admin, 'PUT', `/channels/${shop.id}/operators`, { userIds: [...keep, leaving.id] });
    }
  });

  it('while the AI agent answers a thread nobody gets cards; its hand-off sends one saying why', async () => {
    const ai = { enabled: true, mode: 'auto', model: 'test-model', systemPrompt: 'You sell bikes.', fallbackText: 'A person will answer soon.' };
    expect((await api(app.url, admin, 'PATCH', `/channels/${shop.id}`, { ai })).status).toBe(200);
    try {
      const avitoChatId = account.addChat({ customerName: 'Ольга' });
      const first = { text: `Какой размер рамы? ${randomUUID()}` };
      expect(await avitoWebhook(app.url, account, await account.customerMessage(avitoChatId, { text: first.text }, { deliver: false }))).toBe(200);
      // The agent answers this one (the fake model replies), so no operator is called to it.
      await eventually(async () => llm.log.length > 0, 20_000, 'the model asked');
      await new Promise((r) => setTimeout(r, 1000));
      for (const op of ops) expect(cardsTo(op.tg, first.text)).toEqual([]);

      const marker = `Позовите оператора ${randomUUID()}`;
      const body = await account.customerMessage(avitoChatId, { text: marker }, { deliver: false });
      expect(await avitoWebhook(app.url, account, body)).toBe(200);
      for (const op of ops) {
        const card = await cardFor(op.tg, marker, `a hand-off card for ${op.tg}`);
        expect(card.sent.text).toContain('Handed to people');
        expect(card.sent.text).toContain('оператор');
      }
      expect(cardsTo(muted.tg, marker)).toEqual([]);
    } finally {
      await api(app.url, admin, 'PATCH', `/channels/${shop.id}`, { ai: { enabled: false } });
    }
  });
});

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FakeAvitoAccount } from '../fakes/avito';
import type { FakeBot } from '../fakes/telegram';
import { registerUser, sdk, type TestUser } from '../helpers/api';
import { eventually, setRole, startBridgeWorld, type BridgeWorld } from '../helpers/bridge';
import { closeAllSockets, connect } from '../helpers/socket';

describe('inbound: webhooks into contacts and inbox threads (e2e, fake providers)', () => {
  let w: BridgeWorld;
  let db: Client;
  let operator: TestUser;
  let bot: FakeBot;
  let tgChannelId: string;
  let account: FakeAvitoAccount;
  let avChannelId: string;

  const threads = async (user: TestUser, query: Record<string, string> = {}) =>
    (await sdk.listInboxThreads({ client: user.client, query, throwOnError: true })).data.items;
  const history = async (user: TestUser, chatId: string) =>
    (await sdk.listMessages({ client: user.client, path: { chatId }, query: { limit: 200 }, throwOnError: true })).data.items;
  const eventCount = async (channelId: string) => Number((await db.query('SELECT count(*) AS n FROM inbound_events WHERE channel_id = $1', [channelId])).rows[0].n);

  beforeAll(async () => {
    w = await startBridgeWorld();
    db = new Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    operator = await setRole(w.app, await registerUser(w.app.url), 'operator');
    bot = w.telegram.addBot();
    tgChannelId = (await sdk.createChannel({ client: w.admin.client, body: { type: 'telegram', name: 'TG shop', botToken: bot.token }, throwOnError: true })).data.id;
    account = w.avito.addAccount({ name: 'Avito shop' });
    avChannelId = (
      await sdk.createChannel({ client: w.admin.client, body: { type: 'avito', name: 'Avito shop', clientId: account.clientId, clientSecret: account.clientSecret }, throwOnError: true })
    ).data.id;
    for (const id of [tgChannelId, avChannelId]) await sdk.setChannelOperators({ client: w.admin.client, path: { id }, body: { userIds: [operator.id] }, throwOnError: true });
  });
  afterAll(async () => {
    closeAllSockets();
    await db?.end();
    await w?.close();
  });

  it('a Telegram message creates a contact and a thread; replayed 3x concurrently and out of order it is stored once', async () => {
    const customer = { id: 700001, firstName: 'Ivan', lastName: 'Petrov', username: 'ivan_p' };
    const first = bot.update('text', { from: customer, text: 'Hello, is it available?' });
    const second = bot.update('text', { from: customer, text: 'Second question' });
    // Out of order and concurrent: the later update lands first, then three copies of the first race each other.
    expect((await bot.deliver(second)).status).toBe(200);
    const replies = await Promise.all([bot.deliver(first), bot.deliver(first), bot.deliver(first)]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await bot.deliver(second)).status).toBe(200);

    const thread = await eventually(async () => (await threads(operator, { channelId: tgChannelId })).find((t) => t.contact.externalId === '700001'), 15_000, 'the thread');
    expect(thread.channel).toEqual({ id: tgChannelId, type: 'telegram', name: 'TG shop' });
    expect(thread.contact).toMatchObject({ name: 'Ivan Petrov', profileUrl: 'https://t.me/ivan_p', blocked: false });
    expect(thread.status).toBe('open');
    expect(thread.chat.type).toBe('inbox');
    const messages = await eventually(async () => {
      const items = await history(operator, thread.chat.id);
      return items.length >= 2 ? items : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    const bodies = (await history(operator, thread.chat.id)).map((m) => m.body).sort();
    expect(bodies).toEqual(['Hello, is it available?', 'Second question']);
    expect(messages.every((m) => m.senderContactId === thread.contact.id && m.senderId === null)).toBe(true);
    expect(await eventCount(tgChannelId)).toBe(2);
  });

  it('a bad or missing secret, or an unknown channel, is 401 and writes nothing', async () => {
    const before = await eventCount(tgChannelId);
    const update = bot.update('text', { text: 'sneaky' });
    expect((await bot.deliver(update, { secretToken: 'wrong-secret' })).status).toBe(401);
    expect((await bot.deliver(update, { secretToken: null })).status).toBe(401);
    const unknown = await fetch(`${w.app.url}/api/v1/webhooks/telegram/00000000-0000-4000-8000-000000000000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': bot.webhook!.secretToken! },
      body: JSON.stringify(update),
    });
    expect(unknown.status).toBe(401);
    const avitoWrong = await fetch(`${w.app.url}/api/v1/webhooks/avito/${avChannelId}/not-the-secret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(avitoWrong.status).toBe(401);
    // Even a body that is not JSON is refused for its missing secret before it is read.
    const garbage = await fetch(`${w.app.url}/api/v1/webhooks/telegram/${tgChannelId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(garbage.status).toBe(401);
    expect(await eventCount(tgChannelId)).toBe(before);
    expect(await eventCount(avChannelId)).toBe(0);

    const malformed = await fetch(bot.webhook!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': bot.webhook!.secretToken! },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(await eventCount(tgChannelId)).toBe(before);
  });

  it('stores unhandled kinds and marks them ignored; edits change our copy', async () => {
    const callback = bot.update('text', { from: { id: 700002, firstName: 'Olga' }, text: 'original text' });
    expect((await bot.deliver(callback)).status).toBe(200);
    const thread = await eventually(async () => (await threads(operator)).find((t) => t.contact.externalId === '700002'));
    const messageId = (callback.message as { message_id: number }).message_id;
    expect((await bot.deliver(bot.update('edited', { from: { id: 700002, firstName: 'Olga' }, messageId, text: 'edited text' }))).status).toBe(200);
    await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.body === 'edited text' && m.editedAt));

    const unknownKind = { update_id: bot.nextUpdateId(), my_chat_member: { chat: { id: 1, type: 'private' } } };
    expect((await bot.deliver(unknownKind)).status).toBe(200);
    await eventually(async () => {
      const row = (await db.query(`SELECT result FROM inbound_events WHERE channel_id = $1 AND external_id = $2`, [tgChannelId, String(unknownKind.update_id)])).rows[0];
      return row?.result === 'ignored';
    });
  });

  it('a Telegram photo and a sticker: the photo is fetched into our storage as an attachment, the sticker is a placeholder', async () => {
    const from = { id: 700003, firstName: 'Pavel' };
    await bot.deliver(bot.update('photo', { from, caption: 'look at this' }));
    await bot.deliver(bot.update('sticker', { from, emoji: '👍' }));
    const thread = await eventually(async () => (await threads(operator)).find((t) => t.contact.externalId === '700003'));
    const photo = await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.body === 'look at this' && m.attachments.length === 1));
    expect(photo.attachments[0]).toMatchObject({ status: 'ready', contentType: expect.stringMatching(/^image\//) });
    await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.body === '[Sticker 👍]'));
  });

  it('an Avito message creates a contact (name from the chat) and a thread with the item context', async () => {
    const chatId = account.addChat({ customerName: 'Мария', item: { id: 4242, title: 'Mazda 3 2008', price: '300 000 ₽', url: 'https://avito.ru/mazda_4242' } });
    await account.customerMessage(chatId, { text: 'Здравствуйте! Ещё продаёте?' });
    const thread = await eventually(async () => (await threads(operator, { channelId: avChannelId })).find((t) => t.chat.title === 'Мария'));
    expect(thread.contact.name).toBe('Мария');
    expect(thread.contact.profileUrl).toContain('avito.ru');
    expect(thread.context).toMatchObject({ title: 'Mazda 3 2008', price: '300 000 ₽', url: 'https://avito.ru/mazda_4242' });
    expect(thread.channel.type).toBe('avito');
    const [message] = await eventually(async () => {
      const items = await history(operator, thread.chat.id);
      return items.length ? items : undefined;
    });
    expect(message.body).toBe('Здравствуйте! Ещё продаёте?');

    // An image arrives as an attachment (the largest size); a deleted message marks ours deleted.
    await account.customerMessage(chatId, { type: 'image' });
    await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.attachments.length === 1 && m.attachments[0].status === 'ready'));
    const stored = account.messages(chatId)[0] as { id: string };
    await account.deleteMessage(chatId, stored.id);
    await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.deletedAt !== null));
  });

  it('echoes: our own sent message is linked, never stored twice; a message typed on the phone is stored as outgoing', async () => {
    const chatId = account.addChat({ customerName: 'Echo customer' });
    await account.customerMessage(chatId, { text: 'first' });
    const thread = await eventually(async () => (await threads(operator, { channelId: avChannelId })).find((t) => t.chat.title === 'Echo customer'));

    // The operator's reply goes out through the outbound path; Avito delivers it back to our webhook as an echo.
    account.echoes(true);
    const reply = (await sdk.sendMessage({ client: operator.client, path: { chatId: thread.chat.id }, body: { clientId: crypto.randomUUID(), body: 'our reply' }, throwOnError: true })).data;
    const sent = await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.id === reply.id && m.delivery?.state === 'sent'), 20_000, 'the reply to be sent');
    const echoId = sent.delivery!.externalId!;
    await eventually(async () => {
      const row = (await db.query(`SELECT result FROM inbound_events WHERE channel_id = $1 AND external_id = $2`, [avChannelId, echoId])).rows[0];
      return row?.result === 'processed';
    }, 20_000, 'the echo to be processed');
    account.echoes(false);

    await account.customerMessage(chatId, { text: 'typed on the phone' }, { fromPhone: true });
    const phone = await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.body === 'typed on the phone'));
    expect(phone).toMatchObject({ senderId: null, senderContactId: null });
    const bodies = (await history(operator, thread.chat.id)).map((m) => m.body);
    expect(bodies.filter((b) => b === 'our reply')).toHaveLength(1);
  });

  it('reconciliation heals a webhook that never came, renewing an expired token on the way (401 → one new token)', async () => {
    const chatId = account.addChat({ customerName: 'Missed customer' });
    await account.customerMessage(chatId, { text: 'this webhook was lost' }, { deliver: false });
    account.expireTokens(401);
    const tokensBefore = account.tokensIssued;
    expect((await sdk.syncChannel({ client: w.admin.client, path: { id: avChannelId } })).response.status).toBe(202);
    const thread = await eventually(async () => (await threads(operator, { channelId: avChannelId })).find((t) => t.chat.title === 'Missed customer'), 20_000);
    await eventually(async () => (await history(operator, thread.chat.id)).find((m) => m.body === 'this webhook was lost'));
    expect(account.tokensIssued).toBe(tokensBefore + 1);

    // Running it again adds nothing.
    await sdk.syncChannel({ client: w.admin.client, path: { id: avChannelId } });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await history(operator, thread.chat.id)).filter((m) => m.body === 'this webhook was lost')).toHaveLength(1);
  });

  it('threads: status and assignee, a customer message reopens a resolved thread, strangers get 404, /chats hides them', async () => {
    const from = { id: 700009, firstName: 'Nina' };
    await bot.deliver(bot.update('text', { from, text: 'need help' }));
    const thread = await eventually(async () => (await threads(operator)).find((t) => t.contact.externalId === '700009'));

    const assigned = await sdk.updateInboxThread({ client: operator.client, path: { chatId: thread.chat.id }, body: { assigneeId: operator.id, status: 'pending' } });
    expect(assigned.data).toMatchObject({ assigneeId: operator.id, status: 'pending' });
    expect((await threads(operator, { assignee: 'me' })).map((t) => t.chat.id)).toContain(thread.chat.id);
    expect((await threads(operator, { assignee: 'none' })).map((t) => t.chat.id)).not.toContain(thread.chat.id);

    const stranger = await registerUser(w.app.url);
    expect((await sdk.updateInboxThread({ client: stranger.client, path: { chatId: thread.chat.id }, body: { status: 'resolved' } })).response.status).toBe(404);
    expect((await sdk.listMessages({ client: stranger.client, path: { chatId: thread.chat.id } })).response.status).toBe(404);
    expect(await threads(stranger)).toEqual([]);
    const badAssignee = await sdk.updateInboxThread({ client: operator.client, path: { chatId: thread.chat.id }, body: { assigneeId: stranger.id } });
    expect(badAssignee.response.status).toBe(400);

    await sdk.updateInboxThread({ client: operator.client, path: { chatId: thread.chat.id }, body: { status: 'resolved' }, throwOnError: true });
    await bot.deliver(bot.update('text', { from, text: 'one more thing' }));
    await eventually(async () => (await threads(operator)).find((t) => t.chat.id === thread.chat.id && t.status === 'open'));

    const plain = (await sdk.listChats({ client: operator.client, throwOnError: true })).data;
    expect(plain.items.some((c) => c.type === 'inbox')).toBe(false);
    const inbox = (await sdk.listChats({ client: operator.client, query: { type: 'inbox' }, throwOnError: true })).data;
    expect(inbox.items.map((c) => c.id)).toContain(thread.chat.id);
  });

  it('a new thread and every status or assignee change reach the channel\'s operators live (thread:updated); others hear nothing', async () => {
    const stranger = await registerUser(w.app.url);
    const [mine, theirs] = await Promise.all([connect(w.app.url, operator.accessToken), connect(w.app.url, stranger.accessToken)]);
    const seen: Array<{ chat: { id: string }; status: string; assigneeId: string | null; contact: { name: string } }> = [];
    const strangerSaw: unknown[] = [];
    mine.on('thread:updated', (t) => seen.push(t));
    theirs.on('thread:updated', (t) => strangerSaw.push(t));

    await bot.deliver(bot.update('text', { from: { id: 700010, firstName: 'Live' }, text: 'are you there?' }));
    const created = await eventually(async () => seen.find((t) => t.contact.name === 'Live'), 15_000, 'thread:updated for the new thread');
    expect(created.status).toBe('open');

    await sdk.updateInboxThread({ client: w.admin.client, path: { chatId: created.chat.id }, body: { assigneeId: operator.id }, throwOnError: true });
    await eventually(async () => seen.find((t) => t.chat.id === created.chat.id && t.assigneeId === operator.id), 10_000, 'the assignment live');
    await sdk.updateInboxThread({ client: operator.client, path: { chatId: created.chat.id }, body: { status: 'resolved' }, throwOnError: true });
    await eventually(async () => seen.find((t) => t.chat.id === created.chat.id && t.status === 'resolved'), 10_000, 'the status change live');
    expect(strangerSaw).toEqual([]);
  });
});

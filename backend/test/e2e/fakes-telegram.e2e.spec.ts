import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram';

/** The fake Telegram Bot API driven by grammY's `Api`, the client production uses. */

interface Received {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

async function webhookReceiver(status = 200): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('fake Telegram Bot API', () => {
  let telegram: FakeTelegram;
  let bot: FakeBot;
  let api: Api;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    bot = telegram.addBot({ username: 'shop_bot', firstName: 'Shop' });
    api = new Api(bot.token, { apiRoot: telegram.url });
  });

  afterAll(async () => {
    await telegram.close();
  });

  it('answers getMe for a known token and 401 Unauthorized for an unknown one', async () => {
    const me = await api.getMe();
    expect(me).toMatchObject({ id: bot.id, is_bot: true, username: 'shop_bot', first_name: 'Shop' });
    const error = await rejection(new Api('123:nope', { apiRoot: telegram.url }).getMe());
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(401);
    expect((error as GrammyError).description).toBe('Unauthorized');
  });

  it('sets, reports and deletes a webhook, validating secret_token', async () => {
    expect(await api.setWebhook('http://127.0.0.1:9/hook', { secret_token: 'abc_DEF-123' })).toBe(true);
    expect(bot.webhook).toEqual({ url: 'http://127.0.0.1:9/hook', secretToken: 'abc_DEF-123' });
    expect((await api.getWebhookInfo()).url).toBe('http://127.0.0.1:9/hook');
    const bad = await rejection(api.setWebhook('http://127.0.0.1:9/hook', { secret_token: 'no spaces allowed' }));
    expect((bad as GrammyError).error_code).toBe(400);
    const tooLong = await rejection(api.setWebhook('http://127.0.0.1:9/hook', { secret_token: 'a'.repeat(257) }));
    expect((tooLong as GrammyError).error_code).toBe(400);
    expect(await api.deleteWebhook()).toBe(true);
    expect(bot.webhook).toBeNull();
    expect((await api.getWebhookInfo()).url).toBe('');
  });

  it('sends a message, records it, edits and deletes it', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'Take', callback_data: 'take:1' }]] };
    const message = await api.sendMessage(5550001, 'Hello, customer', { reply_markup: keyboard });
    expect(message).toMatchObject({ text: 'Hello, customer', chat: { id: 5550001, type: 'private' }, from: { id: bot.id, is_bot: true } });
    expect(bot.sent.at(-1)).toMatchObject({ method: 'sendMessage', chatId: '5550001', messageId: message.message_id, text: 'Hello, customer', replyMarkup: keyboard });
    expect(bot.calls.at(-1)).toMatchObject({ method: 'sendMessage', params: { chat_id: 5550001, text: 'Hello, customer' } });

    const edited = await api.editMessageText(5550001, message.message_id, 'Hello again');
    expect(edited).toMatchObject({ text: 'Hello again' });
    const unchanged = await rejection(api.editMessageText(5550001, message.message_id, 'Hello again'));
    expect((unchanged as GrammyError).description).toMatch(/^Bad Request: message is not modified/);
    expect(await api.deleteMessage(5550001, message.message_id)).toBe(true);
    const gone = await rejection(api.deleteMessage(5550001, message.message_id));
    expect((gone as GrammyError).description).toBe('Bad Request: message to delete not found');
    expect(((await rejection(api.editMessageText(5550001, message.message_id, 'too late'))) as GrammyError).description).toBe(
      'Bad Request: message to edit not found',
    );
    expect(bot.deleted).toContainEqual(expect.objectContaining({ chatId: '5550001', messageId: message.message_id }));
  });

  it('refuses texts over 4096 characters, empty texts and broken HTML entities', async () => {
    const long = await rejection(api.sendMessage(5550001, 'x'.repeat(4097)));
    expect(long).toMatchObject({ error_code: 400, description: 'Bad Request: message is too long' });
    expect(await api.sendMessage(5550001, 'x'.repeat(4096))).toMatchObject({ text: 'x'.repeat(4096) });
    const empty = await rejection(api.sendMessage(5550001, ''));
    expect(empty).toMatchObject({ error_code: 400, description: 'Bad Request: message text is empty' });
    const html = await rejection(api.sendMessage(5550001, '<b>bold', { parse_mode: 'HTML' }));
    expect((html as GrammyError).description).toMatch(/^Bad Request: can't parse entities: /);
  });

  it('takes a multipart photo upload and serves it back through getFile and the file URL', async () => {
    const data = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 5000 }, (_, i) => i % 256)]);
    const message = await api.sendPhoto(5550001, new InputFile(data, 'receipt.jpg'), { caption: 'Your receipt' });
    expect(message.caption).toBe('Your receipt');
    expect(message.photo?.length).toBeGreaterThan(0);
    const call = bot.calls.at(-1);
    expect(call?.method).toBe('sendPhoto');
    expect(call?.files).toEqual([{ field: 'photo', name: 'receipt.jpg', size: data.length, contentType: 'application/octet-stream' }]);
    expect(bot.sent.at(-1)).toMatchObject({ method: 'sendPhoto', caption: 'Your receipt', file: { name: 'receipt.jpg', size: data.length } });

    const largest = message.photo?.at(-1);
    const file = await api.getFile(largest?.file_id ?? '');
    const download = await fetch(`${telegram.url}/file/bot${bot.token}/${file.file_path}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);

    const doc = await api.sendDocument(5550001, new InputFile(Buffer.from('%PDF-1.4 fake'), 'offer.pdf'));
    expect(doc.document).toMatchObject({ file_name: 'offer.pdf', mime_type: 'application/pdf' });
    const voice = await api.sendVoice(5550001, new InputFile(Buffer.from('OggS fake voice'), 'note.ogg'));
    expect(voice.voice?.mime_type).toBe('audio/ogg');
    const reused = await api.sendPhoto(5550001, largest?.file_id ?? '');
    expect(reused.photo?.at(-1)?.file_id).toBe(largest?.file_id);

    // The standard multipart form (curl -F, fetch's FormData) with the file under the parameter's own name.
    const form = new FormData();
    form.append('chat_id', '5550001');
    form.append('caption', 'from a form');
    form.append('document', new Blob([Buffer.from('plain text file')], { type: 'text/plain' }), 'notes.txt');
    const plain = (await (await fetch(`${telegram.url}/bot${bot.token}/sendDocument`, { method: 'POST', body: form })).json()) as {
      ok: boolean;
      result: { caption: string; document: { file_name: string; mime_type: string; file_size: number } };
    };
    expect(plain).toMatchObject({ ok: true, result: { caption: 'from a form', document: { file_name: 'notes.txt', mime_type: 'text/plain', file_size: 15 } } });
    expect(bot.calls.at(-1)?.files).toEqual([{ field: 'document', name: 'notes.txt', size: 15, contentType: 'text/plain' }]);
  });

  it('reproduces every fault with the exact Telegram error body', async () => {
    const cases: Array<[Parameters<FakeBot['fault']>[1], number, string, Record<string, unknown> | undefined]> = [
      [{ kind: 'rate-limit', retryAfter: 7 }, 429, 'Too Many Requests: retry after 7', { retry_after: 7 }],
      [{ kind: 'blocked' }, 403, 'Forbidden: bot was blocked by the user', undefined],
      [{ kind: 'deactivated' }, 403, 'Forbidden: user is deactivated', undefined],
      [{ kind: 'chat-not-found' }, 400, 'Bad Request: chat not found', undefined],
      [{ kind: 'too-long' }, 400, 'Bad Request: message is too long', undefined],
      [{ kind: 'migrated', toChatId: -1009876 }, 400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1009876 }],
      [{ kind: 'server-error', status: 502 }, 502, 'Bad Gateway', undefined],
    ];
    for (const [fault, status, description, parameters] of cases) {
      bot.fault('sendMessage', fault, 1);
      const error = await rejection(api.sendMessage(5550001, 'hi'));
      expect(error).toBeInstanceOf(GrammyError);
      expect((error as GrammyError).error_code).toBe(status);
      expect((error as GrammyError).description).toBe(description);
      expect((error as GrammyError).parameters).toEqual(parameters ?? {});
    }
    bot.fault('sendMessage', { kind: 'parse-entities' }, 1);
    expect((await rejection(api.sendMessage(5550001, 'hi'))) as GrammyError).toMatchObject({ error_code: 400 });
    expect(((await rejection(Promise.resolve().then(() => api.sendMessage(5550001, 'x'.repeat(5000))))) as GrammyError).description).toBe(
      'Bad Request: message is too long',
    );
    // A fault armed with `times` is spent; the next call goes through.
    expect(await api.sendMessage(5550001, 'after the faults')).toMatchObject({ text: 'after the faults' });

    // '*' applies to every method until cleared.
    bot.fault('*', { kind: 'server-error' });
    expect(((await rejection(api.getMe())) as GrammyError).error_code).toBe(500);
    bot.fault('*', null);
    expect((await api.getMe()).id).toBe(bot.id);
  });

  it('hang-after-accept records the send and then drops the connection; refuse-connection records nothing', async () => {
    const sentBefore = bot.sent.length;
    const callsBefore = bot.calls.length;
    bot.fault('sendMessage', { kind: 'hang-after-accept', ms: 200 }, 1);
    const hung = await rejection(api.sendMessage(5550001, 'maybe delivered'));
    expect(hung).toBeInstanceOf(HttpError);
    expect(bot.sent.length).toBe(sentBefore + 1);
    expect(bot.sent.at(-1)?.text).toBe('maybe delivered');

    bot.fault('sendMessage', { kind: 'refuse-connection' }, 1);
    const refused = await rejection(api.sendMessage(5550001, 'never arrives'));
    expect(refused).toBeInstanceOf(HttpError);
    expect(bot.calls.length).toBe(callsBefore + 1);
    expect(bot.sent.length).toBe(sentBefore + 1);

    // Node reports both as ECONNRESET; they differ in the message ("socket hang up" after a full request).
    expect(((hung as HttpError).error as Error).message).toMatch(/socket hang up/);
    expect(((refused as HttpError).error as Error).message).toMatch(/ECONNRESET/);
  });

  it('goes offline (ECONNREFUSED) and comes back on the same URL', async () => {
    await telegram.setOffline(true);
    const offline = await rejection(api.getMe());
    expect(offline).toBeInstanceOf(HttpError);
    expect(((offline as HttpError).error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await telegram.setOffline(false);
    expect((await api.getMe()).id).toBe(bot.id);

    const answer = await fetch(`${telegram.url}/_fake/offline`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 400 }) });
    expect(await answer.json()).toEqual({ offlineForMs: 400 });
    await expect.poll(async () => (await rejection(api.getMe()).catch(() => null)) instanceof HttpError, { timeout: 2000 }).toBe(true);
    await expect.poll(async () => (await api.getMe().catch(() => null))?.id, { timeout: 5000 }).toBe(bot.id);
  });

  it('builds real updates and delivers them to the webhook with the secret header', async () => {
    const hook = await webhookReceiver();
    try {
      await api.setWebhook(hook.url, { secret_token: 'S3cret_token' });
      const text = bot.update('text', { text: '/start link-code', from: { id: 777, firstName: 'Olga', username: 'olga' } });
      expect((text.message as { from: Record<string, unknown> }).from).toEqual({ id: 777, is_bot: false, first_name: 'Olga', username: 'olga' });
      expect((bot.update('text', {}).message as { from: Record<string, unknown> }).from).toMatchObject({ first_name: 'Ivan', last_name: 'Petrov' });
      expect(text).toMatchObject({
        message: { text: '/start link-code', chat: { id: 777, type: 'private', first_name: 'Olga' }, entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
      });
      const result = await bot.deliver(text);
      expect(result.status).toBe(200);
      expect(result.ms).toBeGreaterThanOrEqual(0);
      expect(hook.received[0].headers['x-telegram-bot-api-secret-token']).toBe('S3cret_token');
      expect(hook.received[0].body).toEqual(text);

      await bot.deliver(text, { secretToken: null });
      expect(hook.received[1].headers['x-telegram-bot-api-secret-token']).toBeUndefined();
      await bot.deliver(text, { secretToken: 'wrong' });
      expect(hook.received[2].headers['x-telegram-bot-api-secret-token']).toBe('wrong');

      const photo = bot.update('photo', { from: { id: 777, firstName: 'Olga' }, caption: 'look', data: Buffer.from('real photo bytes') });
      const sizes = (photo.message as { photo: Array<{ file_id: string; width: number }> }).photo;
      expect(sizes.length).toBeGreaterThanOrEqual(3);
      const biggest = await api.getFile(sizes[sizes.length - 1].file_id);
      const bytes = Buffer.from(await (await fetch(`${telegram.url}/file/bot${bot.token}/${biggest.file_path}`)).arrayBuffer());
      expect(bytes.toString()).toBe('real photo bytes');

      for (const kind of ['document', 'voice', 'audio', 'video', 'sticker'] as const) {
        const update = bot.update(kind, { from: { id: 777, firstName: 'Olga' } });
        const key = kind === 'document' ? 'document' : kind;
        expect((update.message as Record<string, { file_id: string }>)[key].file_id).toBeTruthy();
      }

      const first = (text.message as { message_id: number }).message_id;
      const edited = bot.update('edited', { from: { id: 777, firstName: 'Olga' }, messageId: first, text: '/start other' });
      expect(edited).toMatchObject({ edited_message: { message_id: first, text: '/start other' } });
      expect((edited.edited_message as { edit_date?: number }).edit_date).toBeTypeOf('number');

      const card = await api.sendMessage(777, 'New message from Maria', { reply_markup: { inline_keyboard: [[{ text: 'Take', callback_data: 'take:42' }]] } });
      const reply = bot.update('text', { from: { id: 777, firstName: 'Olga' }, text: 'On it', replyTo: card.message_id });
      expect(reply).toMatchObject({ message: { text: 'On it', reply_to_message: { message_id: card.message_id, text: 'New message from Maria' } } });

      const callback = bot.update('callback', { from: { id: 777, firstName: 'Olga' }, callbackData: 'take:42' });
      const query = callback.callback_query as { id: string; data: string; message: { message_id: number } };
      expect(query).toMatchObject({ data: 'take:42', message: { message_id: card.message_id } });
      expect(await api.answerCallbackQuery(query.id, { text: 'Assigned to you' })).toBe(true);
      expect(bot.callbackAnswers.at(-1)).toMatchObject({ queryId: query.id, text: 'Assigned to you', showAlert: false });
      const twice = await rejection(api.answerCallbackQuery(query.id));
      expect((twice as GrammyError).description).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');

      const a = bot.nextUpdateId();
      bot.setUpdateId(a + 1_000_000);
      expect(bot.update('text', {}).update_id).toBe(a + 1_000_000);
    } finally {
      hook.server.close();
    }
  });

  it('enforces flood limits on request: 429 with retry_after when a sender outruns them', async () => {
    const perChat = telegram.addBot();
    const chatClient = new Api(perChat.token, { apiRoot: telegram.url });
    perChat.enforceLimits({ perChatIntervalMs: 2000 });
    await chatClient.sendMessage(100, 'first');
    const second = await rejection(chatClient.sendMessage(100, 'second'));
    expect(second).toMatchObject({ error_code: 429 });
    const retryAfter = (second as GrammyError).parameters.retry_after;
    expect([1, 2]).toContain(retryAfter);
    expect((second as GrammyError).description).toBe(`Too Many Requests: retry after ${retryAfter}`);
    await chatClient.sendMessage(200, 'another chat is fine');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await chatClient.sendMessage(100, 'after the interval');
    expect(perChat.sent.map((sent) => sent.text)).toEqual(['first', 'another chat is fine', 'after the interval']);
    expect(perChat.limitViolations).toEqual([expect.objectContaining({ rule: 'per-chat', chatId: '100', retryAfter })]);

    const perGroup = telegram.addBot();
    const groupClient = new Api(perGroup.token, { apiRoot: telegram.url });
    perGroup.enforceLimits({ perGroupPerMinute: 2 });
    await groupClient.sendMessage(-100500, 'group 1');
    await groupClient.sendMessage(-100500, 'group 2');
    const third = await rejection(groupClient.sendMessage(-100500, 'group 3'));
    expect(third).toMatchObject({ error_code: 429 });
    expect((third as GrammyError).parameters.retry_after).toBeGreaterThanOrEqual(58);
    await groupClient.sendMessage(-100600, 'another group');

    const perBot = telegram.addBot();
    const botClient = new Api(perBot.token, { apiRoot: telegram.url });
    perBot.enforceLimits({ perBotPerSecond: 2 });
    await botClient.sendMessage(1, 'a');
    await botClient.sendMessage(2, 'b');
    expect(((await rejection(botClient.sendMessage(3, 'c'))) as GrammyError).error_code).toBe(429);
    expect(perBot.limitViolations.map((violation) => violation.rule)).toEqual(['per-bot']);
  });

  it('adds latency and counts calls in flight; serves customers profile photos', async () => {
    const slow = telegram.addBot();
    const client = new Api(slow.token, { apiRoot: telegram.url });
    slow.latency(150);
    const started = Date.now();
    await Promise.all([client.sendMessage(1, 'a'), client.sendMessage(2, 'b'), client.sendMessage(3, 'c')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(slow.maxInFlight.sendMessage).toBe(3);
    expect(slow.inFlight['*']).toBe(0);

    slow.update('text', { from: { id: 31337, firstName: 'Anna' } });
    slow.update('text', { from: { id: 31338, firstName: 'Boris', hasPhoto: false } });
    const photos = await client.getUserProfilePhotos(31337);
    expect(photos.total_count).toBe(1);
    const file = await client.getFile(photos.photos[0].at(-1)?.file_id ?? '');
    const avatar = await fetch(`${telegram.url}/file/bot${slow.token}/${file.file_path}`);
    expect(avatar.headers.get('content-type')).toBe('image/jpeg');
    expect((await client.getUserProfilePhotos(31338)).total_count).toBe(0);
    expect(((await rejection(client.getUserProfilePhotos(1))) as GrammyError).description).toBe('Bad Request: user not found');
  });

  it('lets one customer block the bot while others still get messages', async () => {
    const update = bot.update('member', { from: { id: 9001, firstName: 'Gleb' }, status: 'kicked' });
    expect(update).toMatchObject({ my_chat_member: { chat: { id: 9001, type: 'private' }, new_chat_member: { status: 'kicked', user: { id: bot.id } } } });
    const blocked = await rejection(api.sendMessage(9001, 'hello?'));
    expect(blocked).toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await api.sendMessage(9002, 'someone else')).toMatchObject({ text: 'someone else' });
    bot.blockedBy(9003, 'deactivated');
    expect(((await rejection(api.sendPhoto(9003, new InputFile(Buffer.from('x'), 'x.jpg')))) as GrammyError).description).toBe('Forbidden: user is deactivated');
    bot.update('member', { from: { id: 9001, firstName: 'Gleb' }, status: 'member' });
    expect(await api.sendMessage(9001, 'welcome back')).toMatchObject({ text: 'welcome back' });
  });

  it('stores commands and exposes the control surface over HTTP', async () => {
    expect(await api.setMyCommands([{ command: 'start', description: 'Link your account' }])).toBe(true);
    expect(await api.getMyCommands()).toEqual([{ command: 'start', description: 'Link your account' }]);

    const created = (await (
      await fetch(`${telegram.url}/_fake/bots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'other_bot' }) })
    ).json()) as { token: string; username: string };
    expect(created.username).toBe('other_bot');
    const other = new Api(created.token, { apiRoot: telegram.url });
    await fetch(`${telegram.url}/_fake/bots/${created.token}/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'sendMessage', fault: { kind: 'blocked' }, times: 1 }),
    });
    expect(((await rejection(other.sendMessage(1, 'x'))) as GrammyError).error_code).toBe(403);
    await other.sendMessage(1, 'y');
    const state = (await (await fetch(`${telegram.url}/_fake/bots/${created.token}`)).json()) as { sent: Array<{ text: string }>; calls: unknown[] };
    expect(state.sent.map((sent) => sent.text)).toEqual(['y']);
    expect(state.calls).toHaveLength(2);
  });
});

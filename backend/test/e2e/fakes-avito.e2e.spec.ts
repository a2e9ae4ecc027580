import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAvito, type FakeAvito, type FakeAvitoAccount } from '../fakes/avito';

/** The fake Avito API driven with plain fetch, per the OpenAPI specs in ../shared/avito. */

interface Received {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

async function webhookReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(200).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/avito/secret`, received, server };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('fake Avito API', () => {
  let avito: FakeAvito;
  let account: FakeAvitoAccount;
  let token: string;

  const api = (path: string, init: RequestInit = {}, bearer = token) =>
    fetch(`${avito.url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, ...(init.headers ?? {}) } });
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function getToken(clientId = account.clientId, clientSecret = account.clientSecret): Promise<Response> {
    return fetch(`${avito.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    });
  }

  beforeAll(async () => {
    avito = await startFakeAvito();
    account = avito.addAccount({ userId: 94235311, name: 'Шоурум' });
    token = ((await (await getToken()).json()) as { access_token: string }).access_token;
  });

  afterAll(async () => {
    await avito.close();
  });

  it('issues client_credentials tokens and rejects bad credentials', async () => {
    const ok = await getToken();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ access_token: expect.any(String), expires_in: 86400, token_type: 'Bearer' });
    expect(account.tokensIssued).toBe(2);
    expect((await getToken(account.clientId, 'wrong')).status).toBe(400);
    expect((await getToken('unknown', 'x')).status).toBe(400);
  });

  it('reads the account and answers 401 without a token, 403 for another account', async () => {
    const self = await api('/core/v1/accounts/self');
    expect(self.status).toBe(200);
    expect(await self.json()).toMatchObject({ id: 94235311, name: 'Шоурум' });
    expect(self.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
    expect(self.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    const anonymous = await fetch(`${avito.url}/core/v1/accounts/self`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: 401, message: 'Unauthorized' } });
    expect((await api('/messenger/v2/accounts/1/chats')).status).toBe(403);
  });

  it('lists chats with item context, unread filter and messages newest first; read marks them read', async () => {
    const chatId = account.addChat({
      customerId: 555,
      customerName: 'Анна',
      item: { id: 1768287444, title: 'Mazda 3 2008', price: '300 000 ₽', url: 'https://avito.ru/moskva/avtomobili/mazda_3_2008_1768287444' },
    });
    await account.customerMessage(chatId, { text: 'Здравствуйте' });
    await account.customerMessage(chatId, { text: 'Торг уместен?' });

    const chats = (await (await api(`/messenger/v2/accounts/${account.userId}/chats?unread_only=true`)).json()) as { chats: Array<Record<string, unknown>> };
    const chat = chats.chats.find((candidate) => candidate.id === chatId);
    expect(chat).toMatchObject({
      context: { type: 'item', value: { id: 1768287444, title: 'Mazda 3 2008', price_string: '300 000 ₽', url: expect.stringContaining('mazda') } },
      last_message: { direction: 'in', type: 'text', content: { text: 'Торг уместен?' } },
    });
    expect((chat?.users as Array<{ id: number; name: string }>).map((user) => user.name)).toEqual(['Шоурум', 'Анна']);

    const messages = (await (await api(`/messenger/v3/accounts/${account.userId}/chats/${chatId}/messages/?limit=10`)).json()) as Array<Record<string, unknown>>;
    expect(messages.map((message) => (message.content as { text: string }).text)).toEqual(['Торг уместен?', 'Здравствуйте']);
    expect(messages[0]).toMatchObject({ author_id: 555, direction: 'in', is_read: false, type: 'text' });

    expect(await (await api(`/messenger/v1/accounts/${account.userId}/chats/${chatId}/read`, { method: 'POST' })).json()).toEqual({ ok: true });
    const unread = (await (await api(`/messenger/v2/accounts/${account.userId}/chats?unread_only=true`)).json()) as { chats: Array<{ id: string }> };
    expect(unread.chats.map((candidate) => candidate.id)).not.toContain(chatId);
    expect((await api(`/messenger/v2/accounts/${account.userId}/chats/${chatId}`)).status).toBe(200);
    expect((await api(`/messenger/v2/accounts/${account.userId}/chats/nope`)).status).toBe(404);
    expect((await api(`/messenger/v2/accounts/${account.userId}/chats?limit=500`)).status).toBe(400);
  });

  it('sends text (1000 characters at most), uploads and sends an image, deletes a message', async () => {
    const chatId = account.addChat({});
    const path = `/messenger/v1/accounts/${account.userId}/chats/${chatId}/messages`;
    const sent = await api(path, json({ message: { text: 'Да, продаю' }, type: 'text' }));
    expect(sent.status).toBe(200);
    const body = (await sent.json()) as { id: string };
    expect(body).toMatchObject({ content: { text: 'Да, продаю' }, direction: 'out', type: 'text' });
    expect(account.sent.at(-1)).toMatchObject({ chatId, messageId: body.id, type: 'text', text: 'Да, продаю' });

    const tooLong = await api(path, json({ message: { text: 'я'.repeat(1001) }, type: 'text' }));
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: { code: number } }).error.code).toBe(400);
    expect((await api(path, json({ message: { text: 'я'.repeat(1000) }, type: 'text' }))).status).toBe(200);

    const form = new FormData();
    form.append('uploadfile[]', new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])], { type: 'image/png' }), 'photo.png');
    const upload = await api(`/messenger/v1/accounts/${account.userId}/uploadImages`, { method: 'POST', body: form });
    expect(upload.status).toBe(200);
    const uploaded = (await upload.json()) as Record<string, Record<string, string>>;
    const [imageId] = Object.keys(uploaded);
    expect(Object.keys(uploaded[imageId])).toContain('1280x960');
    const image = await api(`${path}/image`, json({ image_id: imageId }));
    expect(await image.json()).toMatchObject({ type: 'image', direction: 'out', content: { image: { sizes: uploaded[imageId] } } });
    expect(account.sent.at(-1)).toMatchObject({ type: 'image', imageId });
    expect((await fetch(uploaded[imageId]['1280x960'])).status).toBe(200);

    expect(await (await api(`${path}/${body.id}`, { method: 'POST' })).json()).toEqual({});
    expect(account.messages(chatId).find((message) => message.id === body.id)?.type).toBe('deleted');
    expect(account.deletedMessages.at(-1)).toMatchObject({ chatId, messageId: body.id });
  });

  it('subscribes webhooks, delivers customer messages and echoes of own sends with varying versions', async () => {
    const hook = await webhookReceiver();
    try {
      expect(await (await api('/messenger/v3/webhook', json({ url: hook.url }))).json()).toEqual({ ok: true });
      expect(await (await api('/messenger/v1/subscriptions', { method: 'POST' })).json()).toEqual({ subscriptions: [{ url: hook.url, version: '3' }] });
      expect(account.webhooks).toEqual([hook.url]);

      const chatId = account.addChat({ customerId: 777 });
      const delivered = await account.customerMessage(chatId, { text: 'Есть доставка?' });
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0].body).toEqual(delivered);
      expect(delivered).toMatchObject({
        payload: { type: 'message', value: { chat_id: chatId, user_id: account.userId, author_id: 777, type: 'text', chat_type: 'u2i', content: { text: 'Есть доставка?' } } },
      });
      expect(hook.received[0].headers['x-avito-messenger-signature']).toMatch(/^[0-9a-f]{64}$/);
      expect(account.deliveries.at(-1)).toMatchObject({ url: hook.url, status: 200, ms: expect.any(Number) });

      account.echoes(true);
      const sent = (await (await api(`/messenger/v1/accounts/${account.userId}/chats/${chatId}/messages`, json({ message: { text: 'Да' }, type: 'text' }))).json()) as { id: string };
      await until(() => hook.received.length === 2);
      expect(hook.received[1].body).toMatchObject({ payload: { value: { id: sent.id, author_id: account.userId, user_id: account.userId } } });
      account.echoes(false);

      await account.customerMessage(chatId, { text: 'С телефона' }, { fromPhone: true });
      expect(hook.received[2].body).toMatchObject({ payload: { value: { author_id: account.userId, content: { text: 'С телефона' } } } });
      const versions = new Set(hook.received.map((entry) => entry.body.version));
      expect(versions).toEqual(new Set(['v1.1', 'v3.0.0']));

      const voiceId = account.addVoice(Buffer.from('opus in mp4'));
      await account.customerMessage(chatId, { voiceId });
      const voices = (await (await api(`/messenger/v1/accounts/${account.userId}/getVoiceFiles?voice_ids=${voiceId}`)).json()) as { voices_urls: Record<string, string> };
      expect(Buffer.from(await (await fetch(voices.voices_urls[voiceId])).arrayBuffer()).toString()).toBe('opus in mp4');

      await account.customerMessage(chatId, { text: 'пропущено' }, { deliver: false });
      expect(hook.received).toHaveLength(4);
      const history = (await (await api(`/messenger/v3/accounts/${account.userId}/chats/${chatId}/messages/`)).json()) as Array<{ content: { text?: string } }>;
      expect(history[0].content.text).toBe('пропущено');

      expect(await (await api('/messenger/v1/webhook/unsubscribe', json({ url: hook.url }))).json()).toEqual({ ok: true });
      expect(account.webhooks).toEqual([]);
    } finally {
      hook.server.close();
    }
  });

  it('expires tokens with 401 or 403, and applies faults with spec error bodies', async () => {
    const old = token;
    account.expireTokens(403);
    const expired = await api('/core/v1/accounts/self', {}, old);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toEqual({ error: { code: 403, message: 'Forbidden' } });
    token = ((await (await getToken()).json()) as { access_token: string }).access_token;
    expect((await api('/core/v1/accounts/self')).status).toBe(200);
    account.expireTokens();
    expect((await api('/core/v1/accounts/self')).status).toBe(401);
    token = ((await (await getToken()).json()) as { access_token: string }).access_token;

    const chatId = account.addChat({});
    const send = () => api(`/messenger/v1/accounts/${account.userId}/chats/${chatId}/messages`, json({ message: { text: 'x' }, type: 'text' }));
    account.fault('send', { kind: 'rate-limit', retryAfter: 3 }, 1);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    account.fault('/messenger/v1/accounts/*/chats/*/messages', { kind: 'server-error', status: 503 }, 1);
    const down = await send();
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { code: 503, message: 'Service temporarily unavailable. Please, contact support' } });
    account.fault('*', { kind: 'error', status: 402, message: 'Payment required' }, 1);
    expect((await send()).status).toBe(402);
    expect((await send()).status).toBe(200);

    account.rateLimitRemaining(0);
    expect((await send()).headers.get('x-ratelimit-remaining')).toBe('0');
    account.rateLimitRemaining(null);

    const sentBefore = account.sent.length;
    account.fault('send', { kind: 'hang-after-accept', ms: 100 }, 1);
    await expect(send()).rejects.toThrow();
    expect(account.sent.length).toBe(sentBefore + 1);
    account.fault('send', { kind: 'refuse-connection' }, 1);
    await expect(send()).rejects.toThrow();
    expect(account.sent.length).toBe(sentBefore + 1);
  });

  it('adds latency, counts sends in flight, and aims named faults at one operation only', async () => {
    const chatId = account.addChat({});
    const path = `/messenger/v1/accounts/${account.userId}/chats/${chatId}/messages`;
    account.latency(150);
    await Promise.all([1, 2, 3].map((n) => api(path, json({ message: { text: `parallel ${n}` }, type: 'text' }))));
    expect(account.maxInFlight.send).toBe(3);
    expect(account.inFlight.send).toBe(0);
    account.latency(0);

    const first = (await (await api(path, json({ message: { text: 'to delete' }, type: 'text' }))).json()) as { id: string };
    account.fault('delete', { kind: 'error', status: 400, message: 'delete refused' });
    const form = new FormData();
    form.append('uploadfile[]', new Blob([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])], { type: 'image/jpeg' }), 'a.jpg');
    const uploaded = (await (await api(`/messenger/v1/accounts/${account.userId}/uploadImages`, { method: 'POST', body: form })).json()) as Record<string, unknown>;
    expect((await api(`${path}/image`, json({ image_id: Object.keys(uploaded)[0] }))).status).toBe(200);
    const refused = await api(`${path}/${first.id}`, { method: 'POST' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: 400, message: 'delete refused' } });
    account.fault('delete', null);
  });

  it('is driven over the /_fake control surface', async () => {
    const created = (await (await fetch(`${avito.url}/_fake/accounts`, json({ clientId: 'cid', clientSecret: 'csecret', userId: 4242 }))).json()) as { userId: number };
    expect(created.userId).toBe(4242);
    const { chatId } = (await (await fetch(`${avito.url}/_fake/accounts/4242/chats`, json({ customerName: 'Пётр' }))).json()) as { chatId: string };
    const webhook = (await (await fetch(`${avito.url}/_fake/accounts/4242/chats/${encodeURIComponent(chatId)}/messages`, json({ text: 'Привет' }))).json()) as {
      payload: { value: { chat_id: string } };
    };
    expect(webhook.payload.value.chat_id).toBe(chatId);
    const state = (await (await fetch(`${avito.url}/_fake/accounts/4242`)).json()) as { chats: string[] };
    expect(state.chats).toEqual([chatId]);
  });
});

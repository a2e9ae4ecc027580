import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';
import type { FakeAvitoAccount } from '../fakes/avito';
import type { FakeBot } from '../fakes/telegram';
import { anonymous, authed, registerUser, sdk, type TestUser } from './api';

/** Helpers for the outbound tests: an admin operator, channels against the fakes, and threads made by customers. */

export async function eventually<T>(probe: () => Promise<T | undefined | false | null>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A registered user made admin (the run's database is shared, so "first account" is someone else's). */
export async function registerAdmin(url: string): Promise<TestUser> {
  const user = await registerUser(url);
  const db = new Client({ connectionString: inject('databaseUrl') });
  await db.connect();
  await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
  await db.end();
  const res = await sdk.login({ client: anonymous(url), body: { login: user.username, password: user.password }, throwOnError: true });
  return { ...user, accessToken: res.data.accessToken, client: authed(url, res.data.accessToken) };
}

export async function api<T = Record<string, unknown>>(url: string, user: TestUser, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${user.accessToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

export interface Channel {
  id: string;
  type: 'telegram' | 'avito';
}

export async function telegramChannel(url: string, admin: TestUser, bot: FakeBot): Promise<Channel> {
  const res = await api<Channel>(url, admin, 'POST', '/channels', { type: 'telegram', name: `bot ${bot.username}`, botToken: bot.token });
  if (res.status !== 201) throw new Error(`creating a Telegram channel: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function avitoChannel(url: string, admin: TestUser, account: FakeAvitoAccount): Promise<Channel> {
  const res = await api<Channel>(url, admin, 'POST', '/channels', {
    type: 'avito',
    name: `avito ${account.userId}`,
    clientId: account.clientId,
    clientSecret: account.clientSecret,
  });
  if (res.status !== 201) throw new Error(`creating an Avito channel: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The registered webhook URL, pointed at the app under test (PUBLIC_URL is a placeholder in tests). */
const toApp = (registered: string, appUrl: string) => {
  const u = new URL(registered);
  return `${appUrl}${u.pathname}${u.search}`;
};

interface ThreadItem {
  chat: { id: string };
  lastMessage?: { body?: string | null } | null;
}

async function threadWith(url: string, admin: TestUser, channelId: string, text: string): Promise<string> {
  return eventually(
    async () => {
      const res = await api<{ items: ThreadItem[] }>(url, admin, 'GET', `/inbox/threads?channelId=${channelId}&limit=100`);
      return res.body.items?.find((t) => t.lastMessage?.body === text)?.chat.id;
    },
    30_000,
    `the thread with "${text}"`,
  );
}

/** A Telegram customer writes to the bot (the webhook is answered; the thread appears once the job ran). */
export async function telegramCustomerWrites(url: string, bot: FakeBot, customerId: number): Promise<string> {
  const text = `hello ${randomUUID()}`;
  const update = bot.update('text', { from: { id: customerId, firstName: `Customer ${customerId}` }, text });
  const res = await fetch(toApp(bot.webhook!.url, url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': bot.webhook!.secretToken! },
    body: JSON.stringify(update),
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  return text;
}

/** A Telegram customer writes to the bot; resolves to the thread's chat id. */
export async function telegramThread(url: string, admin: TestUser, bot: FakeBot, channel: Channel, customerId: number): Promise<string> {
  return threadWith(url, admin, channel.id, await telegramCustomerWrites(url, bot, customerId));
}

/** Many customers write at once; resolves to their threads' chat ids, in the order given. */
export async function telegramThreads(url: string, admin: TestUser, bot: FakeBot, channel: Channel, customerIds: number[]): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 0; i < customerIds.length; i += 20) {
    texts.push(...(await Promise.all(customerIds.slice(i, i + 20).map((id) => telegramCustomerWrites(url, bot, id)))));
  }
  return eventually(
    async () => {
      const found = new Map<string, string>();
      let cursor: string | undefined;
      do {
        const res = await api<{ items: ThreadItem[]; nextCursor?: string | null }>(
          url,
          admin,
          'GET',
          `/inbox/threads?channelId=${channel.id}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        for (const t of res.body.items ?? []) if (t.lastMessage?.body) found.set(t.lastMessage.body, t.chat.id);
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      return texts.every((t) => found.has(t)) ? texts.map((t) => found.get(t)!) : undefined;
    },
    60_000,
    `${customerIds.length} threads`,
  );
}

/** Hands an Avito webhook body to the app under test (the fake's own delivery goes to the placeholder PUBLIC_URL). */
export async function avitoWebhook(url: string, account: FakeAvitoAccount, body: Record<string, unknown>): Promise<number> {
  return (await account.deliver(body, toApp(account.webhooks[0], url))).status;
}

/** An Avito customer writes in a new chat; resolves to the Avito chat id and the thread's chat id. */
export async function avitoThread(url: string, admin: TestUser, account: FakeAvitoAccount, channel: Channel): Promise<{ avitoChatId: string; chatId: string }> {
  const avitoChatId = account.addChat({ customerName: 'Avito customer' });
  const text = `hello ${randomUUID()}`;
  const body = await account.customerMessage(avitoChatId, { text }, { deliver: false });
  const { status } = await account.deliver(body, toApp(account.webhooks[0], url));
  if (status !== 200) throw new Error(`webhook answered ${status}`);
  return { avitoChatId, chatId: await threadWith(url, admin, channel.id, text) };
}

export interface DeliveredMessage {
  id: string;
  body: string | null;
  internal: boolean;
  delivery?: { state: string; error?: { code: string; message: string }; externalId?: string; updatedAt: string };
}

export async function send(url: string, user: TestUser, chatId: string, body: Record<string, unknown>): Promise<{ status: number; body: DeliveredMessage & { code?: string; limit?: string; message?: string } }> {
  return api(url, user, 'POST', `/chats/${chatId}/messages`, { clientId: randomUUID(), ...body });
}

export async function messageIn(url: string, user: TestUser, chatId: string, id: string): Promise<DeliveredMessage | undefined> {
  const res = await api<{ items: DeliveredMessage[] }>(url, user, 'GET', `/chats/${chatId}/messages?limit=200`);
  return res.body.items.find((m) => m.id === id);
}

/** Waits until the message's delivery is in one of `states`. */
export async function deliveryOf(url: string, user: TestUser, chatId: string, id: string, states: string[], timeoutMs = 30_000): Promise<DeliveredMessage> {
  return eventually(
    async () => {
      const m = await messageIn(url, user, chatId, id);
      return m?.delivery && states.includes(m.delivery.state) ? m : undefined;
    },
    timeoutMs,
    `delivery of ${id} in ${states.join('|')}`,
  );
}

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';

describe('search', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
  const group = async (owner: TestUser, members: TestUser[], title = 'Search') =>
    (await sdk.createChat({ client: owner.client, body: { type: 'group', title, memberIds: members.map((m) => m.id) }, throwOnError: true })).data;
  const send = (user: TestUser, chatId: string, body: string) =>
    sdk.sendMessage({ client: user.client, path: { chatId }, body: { clientId: randomUUID(), body }, throwOnError: true }).then((r) => r.data!);
  const search = (user: TestUser, query: { q: string; chatId?: string; senderId?: string; from?: string; to?: string; cursor?: string; limit?: number }) =>
    sdk.searchMessages({ client: user.client, query, throwOnError: true }).then((r) => r.data);
  const found = async (user: TestUser, q: string) => (await search(user, { q })).items.map((hit) => hit.message.body);
  const marked = (body: string, highlights: number[][]) => highlights.map(([start, end]) => body.slice(start, end));

  it('finds Russian words by their stem and marks the matched words', async () => {
    const [alice, bob] = await users(2);
    const chat = await group(alice, [bob], 'Магазин');
    await send(alice, chat.id, 'Ваш заказ уже собран');
    await send(alice, chat.id, 'Привет, как дела?');
    const { items } = await search(bob, { q: 'заказы' });
    expect(items.map((hit) => hit.message.body)).toEqual(['Ваш заказ уже собран']);
    expect(items[0].chat).toEqual({ id: chat.id, title: 'Магазин', type: 'group' });
    expect(marked(items[0].message.body!, items[0].highlights)).toEqual(['заказ']);
  });

  it('finds English words by their stem', async () => {
    const [alice, bob] = await users(2);
    const chat = await group(alice, [bob]);
    await send(bob, chat.id, 'Your order has shipped');
    await send(bob, chat.id, 'Nothing to see here');
    const { items } = await search(alice, { q: 'orders' });
    expect(items.map((hit) => hit.message.body)).toEqual(['Your order has shipped']);
    expect(marked(items[0].message.body!, items[0].highlights)).toEqual(['order']);
    expect(await found(alice, 'shipping')).toEqual(['Your order has shipped']);
  });

  it('finds by a prefix and by a quoted phrase, words in any order without quotes', async () => {
    const [alice] = await users(1);
    const chat = await group(alice, []);
    await send(alice, chat.id, 'Доставка будет завтра утром');
    await send(alice, chat.id, 'Утром завтра никого не будет');
    await send(alice, chat.id, 'Оплата картой при получении');
    expect(await found(alice, 'достав*')).toEqual(['Доставка будет завтра утром']);
    expect(await found(alice, '"завтра утром"')).toEqual(['Доставка будет завтра утром']);
    expect((await found(alice, 'завтра утром')).sort()).toEqual(['Доставка будет завтра утром', 'Утром завтра никого не будет']);
    // Every word must match; only when that finds little do similar spellings follow, after the word hits.
    expect((await found(alice, 'доставка завтра'))[0]).toBe('Доставка будет завтра утром');
  });

  it('falls back to similar spellings for a typo or part of a word when words find little', async () => {
    const [alice] = await users(1);
    const chat = await group(alice, []);
    await send(alice, chat.id, 'Адрес: Новосибирск, улица Ленина 5');
    await send(alice, chat.id, 'Совсем другой текст');
    const { items } = await search(alice, { q: 'Навосибирск' });
    expect(items.map((hit) => hit.message.body)).toEqual(['Адрес: Новосибирск, улица Ленина 5']);
    expect(marked(items[0].message.body!, items[0].highlights)).toEqual(['Новосибирск']);
    expect(await found(alice, 'сибирск')).toEqual(['Адрес: Новосибирск, улица Ленина 5']);
  });

  it('ranks the more relevant message first and pages with nextCursor', async () => {
    const [alice] = await users(1);
    const chat = await group(alice, []);
    for (let i = 0; i < 5; i++) await send(alice, chat.id, `invoice number ${i}`);
    await send(alice, chat.id, 'invoice invoice invoice: all invoices are paid');
    const first = await search(alice, { q: 'invoice', limit: 4 });
    expect(first.items[0].message.body).toBe('invoice invoice invoice: all invoices are paid');
    expect(first.items).toHaveLength(4);
    // Equal relevance: the newest first.
    expect(first.items.slice(1).map((hit) => hit.message.body)).toEqual(['invoice number 4', 'invoice number 3', 'invoice number 2']);
    const second = await search(alice, { q: 'invoice', limit: 4, cursor: first.nextCursor! });
    expect(second.items.map((hit) => hit.message.body)).toEqual(['invoice number 1', 'invoice number 0']);
    expect(second.nextCursor).toBeNull();
  });

  it('filters by chat, sender and time', async () => {
    const [alice, bob] = await users(2);
    const one = await group(alice, [bob]);
    const two = await group(alice, [bob]);
    await send(alice, one.id, 'parcel from alice');
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await send(bob, one.id, 'parcel from bob');
    await send(bob, two.id, 'parcel in the other chat');
    expect((await search(alice, { q: 'parcel', chatId: one.id })).items.map((h) => h.message.body).sort()).toEqual(['parcel from alice', 'parcel from bob']);
    expect((await search(alice, { q: 'parcel', senderId: bob.id })).items.map((h) => h.message.body).sort()).toEqual(['parcel from bob', 'parcel in the other chat']);
    expect((await search(alice, { q: 'parcel', to: before })).items.map((h) => h.message.body)).toEqual(['parcel from alice']);
    expect((await search(alice, { q: 'parcel', from: before, chatId: one.id })).items.map((h) => h.message.body)).toEqual(['parcel from bob']);
  });

  it('finds nothing in chats the caller is not in, also right after being removed', async () => {
    const [alice, bob, eve] = await users(3);
    const chat = await group(alice, [bob]);
    await send(alice, chat.id, 'секретный пароль от склада');
    expect(await found(eve, 'пароль')).toEqual([]);
    expect(await found(eve, 'парол')).toEqual([]);
    expect((await search(eve, { q: 'пароль', chatId: chat.id })).items).toEqual([]);
    expect(await found(bob, 'пароль')).toEqual(['секретный пароль от склада']);
    await sdk.removeChatMember({ client: alice.client, path: { chatId: chat.id, userId: bob.id }, throwOnError: true });
    expect(await found(bob, 'пароль')).toEqual([]);
    expect(await found(bob, 'парль')).toEqual([]);
  });

  it('never finds deleted messages, and finds edited ones by their current text only', async () => {
    const [alice] = await users(1);
    const chat = await group(alice, []);
    const gone = await send(alice, chat.id, 'старый телефон продаю');
    const edited = await send(alice, chat.id, 'встреча в понедельник');
    await sdk.deleteMessage({ client: alice.client, path: { id: gone.id }, throwOnError: true });
    await sdk.editMessage({ client: alice.client, path: { id: edited.id }, body: { body: 'встреча во вторник' }, throwOnError: true });
    expect(await found(alice, 'телефон')).toEqual([]);
    expect(await found(alice, 'понедельник')).toEqual([]);
    const { items } = await search(alice, { q: 'вторник' });
    expect(items.map((hit) => [hit.message.id, hit.message.body, hit.message.editedAt !== null])).toEqual([[edited.id, 'встреча во вторник', true]]);
  });

  it('refuses an empty query, a bad cursor and a reversed time range, naming the field', async () => {
    const [alice] = await users(1);
    await expectError(sdk.searchMessages({ client: alice.client, query: { q: '' } }), 400, 'q');
    await expectError(sdk.searchMessages({ client: alice.client, query: { q: '!!!' } }), 400, 'q');
    await expectError(sdk.searchMessages({ client: alice.client, query: { q: 'x', cursor: 'bogus' } }), 400, 'cursor');
    await expectError(sdk.searchMessages({ client: alice.client, query: { q: 'x', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }), 400, 'from');
  });

  it('returns the history page around a found message', async () => {
    const [alice] = await users(1);
    const chat = await group(alice, []);
    for (let i = 1; i <= 30; i++) await send(alice, chat.id, i === 12 ? 'the needle' : `hay ${i}`);
    const hit = (await search(alice, { q: 'needle' })).items[0].message;
    const page = await sdk.listMessages({ client: alice.client, path: { chatId: chat.id }, query: { around: hit.seq, limit: 10 }, throwOnError: true });
    expect(page.data.items.map((m) => m.seq)).toEqual([17, 16, 15, 14, 13, 12, 11, 10, 9, 8]);
    expect(page.data.items.find((m) => m.id === hit.id)?.body).toBe('the needle');
    await expectError(sdk.listMessages({ client: alice.client, path: { chatId: chat.id }, query: { around: 5, before: 9 } }), 400, 'around');
  });

  it('finds people and chats by similar names', async () => {
    const tag = randomUUID().slice(0, 6);
    const [alice] = await users(1);
    const sasha = await registerUser(t.url, { displayName: `Александр Пушкин ${tag}` });
    const people = async (q: string) => (await sdk.searchUsers({ client: alice.client, query: { q }, throwOnError: true })).data.items.map((u) => u.id);
    expect(await people('Алекс')).toContain(sasha.id);
    expect(await people('Алксандр')).toContain(sasha.id);
    expect(await people('Пушкен')).toContain(sasha.id);
    expect(await people('Зинаида')).not.toContain(sasha.id);

    const named = await group(alice, [sasha], `Поставщики ${tag}`);
    const direct = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: sasha.id }, throwOnError: true })).data;
    const chats = async (q: string) => (await sdk.listChats({ client: alice.client, query: { q }, throwOnError: true })).data.items.map((c) => c.id);
    expect(await chats('поставщик')).toContain(named.id);
    expect(await chats('Паставщики')).toContain(named.id);
    expect(await chats('Пушкин')).toContain(direct.id);
    expect(await chats('бухгалтерия')).toEqual([]);
  });
});

import { generateKeyPairSync, sign as ed25519Sign } from 'node:crypto';
import { sign as signInitData } from '@tma.js/init-data-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram';
import { registerUser, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { api, type Channel, eventually, registerAdmin, telegramChannel } from '../helpers/outbound';

/** Linking a Telegram account by the bot's /start <code>, and the Mini App sign-in with signed initData. */
describe('Telegram link and Mini App sign-in (e2e: the app and fake Telegram)', () => {
  let tg: FakeTelegram;
  let app: TestApp;
  let admin: TestUser;
  let bot: FakeBot;
  let channel: Channel;
  const keys = generateKeyPairSync('ed25519');
  const publicKeyHex = (keys.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');

  beforeAll(async () => {
    tg = await startFakeTelegram();
    app = await startApp({
      PUBLIC_URL: 'https://messenger.example.test',
      TELEGRAM_API_URL: tg.url,
      TELEGRAM_INITDATA_PUBLIC_KEY: publicKeyHex,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    admin = await registerAdmin(app.url);
    bot = tg.addBot({ username: 'shop_alerts_bot' });
    channel = await telegramChannel(app.url, admin, bot);
  });
  afterAll(async () => {
    await app?.close();
    await tg?.close();
  });

  const writeToBot = async (from: { id: number; username?: string }, text: string) => {
    const update = bot.update('text', { from: { id: from.id, firstName: 'Op', username: from.username }, text });
    const target = new URL(bot.webhook!.url);
    const res = await fetch(`${app.url}${target.pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': bot.webhook!.secretToken! },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
  };
  const botSaid = (chatId: number, text: string) =>
    eventually(async () => bot.sent.find((s) => s.chatId === String(chatId) && s.text?.includes(text)), 20_000, `the bot saying "${text}"`);
  const link = async (user: TestUser, telegramId: number) => {
    const res = await api<{ code: string; url: string; expiresAt: string }>(app.url, user, 'POST', '/users/me/telegram-link', { channelId: channel.id });
    expect(res.status).toBe(201);
    await writeToBot({ id: telegramId, username: `tg${telegramId}` }, `/start ${res.body.code}`);
    return res.body;
  };
  const me = async (user: TestUser) => (await api<{ displayName: string; telegramLink: null | { telegramUserId: string; username?: string } }>(app.url, user, 'GET', '/users/me')).body;
  const signIn = (initData: string) =>
    fetch(`${app.url}/api/v1/auth/telegram`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ initData, channelId: channel.id }) });
  const initDataFor = (telegramId: number, authDate = new Date()) => signInitData({ user: { id: telegramId, first_name: 'Op' } } as never, bot.token, authDate);

  it('links by /start <code>: the bot answers "Linked to <name>", /users/me shows it, the code is single-use, DELETE unlinks', async () => {
    const operator = await registerAdmin(app.url);
    const created = await link(operator, 5001);
    expect(created.url).toBe(`https://t.me/shop_alerts_bot?start=${created.code}`);
    expect(new Date(created.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    const profile = await me(operator);
    await botSaid(5001, `Linked to ${profile.displayName}`);
    expect((await me(operator)).telegramLink).toMatchObject({ telegramUserId: '5001', username: 'tg5001' });
    // The same code again, from someone else: refused, nothing changes, and it is not a customer message.
    await writeToBot({ id: 5002 }, `/start ${created.code}`);
    await botSaid(5002, 'expired or was already used');
    expect((await me(operator)).telegramLink?.telegramUserId).toBe('5001');
    const threads = await api<{ items: unknown[] }>(app.url, admin, 'GET', `/inbox/threads?channelId=${channel.id}`);
    expect(threads.body.items).toHaveLength(0);
    // A Telegram id links to one account at most: linking it elsewhere moves it.
    const other = await registerAdmin(app.url);
    await link(other, 5001);
    await eventually(async () => (await me(other)).telegramLink?.telegramUserId === '5001', 20_000, 'the link moved');
    expect((await me(operator)).telegramLink).toBeNull();
    expect((await api(app.url, other, 'DELETE', '/users/me/telegram-link')).status).toBe(204);
    expect((await me(other)).telegramLink).toBeNull();
    expect((await api(app.url, other, 'DELETE', '/users/me/telegram-link')).status).toBe(404);
  });

  it('someone who does not work the channel cannot make a link through it', async () => {
    const user = await registerUser(app.url);
    expect((await api(app.url, user, 'POST', '/users/me/telegram-link', { channelId: channel.id })).status).toBe(404);
  });

  it('initData signed with the bot token signs in (body and cookie as login); tampered, stale and unlinked ones get 401 with the reason', async () => {
    const operator = await registerAdmin(app.url);
    await link(operator, 6001);
    await eventually(async () => (await me(operator)).telegramLink, 20_000, 'linked');

    const ok = await signIn(initDataFor(6001));
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { user: { id: string }; accessToken: string; refreshToken: string };
    expect(body.user.id).toBe(operator.id);
    expect(body.accessToken).toEqual(expect.any(String));
    expect(ok.headers.get('set-cookie')).toContain('refresh');

    const tampered = initDataFor(6001).replace('6001', '6002');
    const bad = await signIn(tampered);
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { code: string }).code).toBe('INIT_DATA_BAD_SIGNATURE');

    const stale = await signIn(initDataFor(6001, new Date(Date.now() - 3600_000)));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { code: string }).code).toBe('INIT_DATA_EXPIRED');

    const unlinked = await signIn(initDataFor(6999));
    expect(unlinked.status).toBe(401);
    expect(((await unlinked.json()) as { code: string }).code).toBe('TELEGRAM_NOT_LINKED');

    const otherBot = tg.addBot();
    const foreign = await signIn(signInitData({ user: { id: 6001, first_name: 'Op' } } as never, otherBot.token, new Date()));
    expect(((await foreign.json()) as { code: string }).code).toBe('INIT_DATA_BAD_SIGNATURE');
  });

  it('a third-party Ed25519 signature (the configured test key pair) signs in; a wrong one does not', async () => {
    const operator = await registerAdmin(app.url);
    await link(operator, 7001);
    await eventually(async () => (await me(operator)).telegramLink, 20_000, 'linked');
    const botId = bot.token.split(':')[0];
    const build = (privateKey = keys.privateKey) => {
      const params = new URLSearchParams({ auth_date: String(Math.floor(Date.now() / 1000)), query_id: 'AAH', user: JSON.stringify({ id: 7001, first_name: 'Op' }) });
      const check = [...params.entries()].map(([k, v]) => `${k}=${v}`).sort().join('\n');
      params.set('signature', ed25519Sign(null, Buffer.from(`${botId}:WEBAPPDATA\n${check}`), privateKey).toString('base64url'));
      return params.toString();
    };
    const ok = await signIn(build());
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { id: string } }).user.id).toBe(operator.id);
    const wrong = await signIn(build(generateKeyPairSync('ed25519').privateKey));
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe('INIT_DATA_BAD_SIGNATURE');
  });
});

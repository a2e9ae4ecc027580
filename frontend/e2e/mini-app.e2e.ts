import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, ensureBuilt, launchBrowser, startApp, startFake, type BrowserHandle, type RunningApp } from './harness';

const TOKEN = '7000000002:AAMiniAppE2eFakeTokenForTheBrowserTest';
const OPERATOR_TG = 5_300_001;
const CUSTOMER = { id: 777_101, firstName: 'Mila', lastName: 'Customer' };
const THEME = { bg_color: '#17212b', text_color: '#f5f5f5', button_color: '#5288c1', link_color: '#6ab3f3' };

/** initData as Telegram signs it for a Mini App: HMAC-SHA256 over the sorted data-check-string, keyed by the bot token. */
function signInitData(botToken: string, user: { id: number; first_name: string }): string {
  const params = new URLSearchParams({ auth_date: String(Math.floor(Date.now() / 1000)), query_id: `AA${randomBytes(6).toString('hex')}`, user: JSON.stringify(user) });
  const check = [...params.entries()].map(([k, v]) => `${k}=${v}`).sort().join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  params.set('hash', createHmac('sha256', secret).update(check).digest('hex'));
  return params.toString();
}

/** The SPA opened the way Telegram opens a Mini App (launch parameters in the hash, no telegram-web-app.js), in Chromium. */
describe('the SPA as a Telegram Mini App in Chromium (e2e)', () => {
  let app: RunningApp;
  let fake: { url: string; stop(): void };
  let browser: BrowserHandle;
  let channelId = '';

  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${fake.url}/_fake/bots/${TOKEN}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.json() as Promise<Record<string, unknown>>;
  };
  const api = async (method: string, path: string, token: string | null, body?: unknown) => {
    const res = await fetch(`${app.url}/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };
  /** Telegram's side of the event bridge: what the page posts to it. */
  const telegramEvents = (page: Page) => page.evaluate(() => (window as unknown as { __tgEvents: Array<[string, string]> }).__tgEvents);

  beforeAll(async () => {
    ensureBuilt();
    fake = await startFake('telegram');
    await fetch(`${fake.url}/_fake/bots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN, username: 'mini_app_e2e_bot', firstName: 'Shop' }) });
    app = await startApp((port) => ({ PUBLIC_URL: `http://127.0.0.1:${port}`, TELEGRAM_API_URL: fake.url, BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64') }));
    browser = await launchBrowser();
    // The first account of an empty installation is its admin.
    const registered = await api('POST', '/auth/register', null, { email: 'olga@example.test', username: 'olga', displayName: 'Olga Operator', password: 'olga-password-1' });
    expect(registered.status).toBe(201);
    const token = registered.body.accessToken as string;
    const created = await api('POST', '/channels', token, { type: 'telegram', name: 'Shop bot', botToken: TOKEN });
    expect(created.status).toBe(201);
    channelId = created.body.id as string;
    const link = await api('POST', '/users/me/telegram-link', token, { channelId });
    await control('/updates', { kind: 'text', text: `/start ${link.body.code as string}`, from: { id: OPERATOR_TG, firstName: 'Olga' } });
    for (let tries = 0; !(await api('GET', '/users/me', token)).body.telegramLink; tries++) {
      if (tries > 200) throw new Error('the Telegram account was not linked');
      await new Promise((r) => setTimeout(r, 100));
    }
    await control('/updates', { kind: 'text', text: 'Do you deliver on Sundays?', from: CUSTOMER });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fake?.stop();
  });

  it('signs in by initData, opens on the inbox in Telegram\'s colours, and Telegram\'s back button leaves a thread', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.addInitScript(() => {
      const events: Array<[string, string]> = [];
      Object.assign(window, { __tgEvents: events, TelegramWebviewProxy: { postEvent: (type: string, data: string) => events.push([type, data]) } });
    });
    const initData = signInitData(TOKEN, { id: OPERATOR_TG, first_name: 'Olga' });
    const hash = new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: '7.0', tgWebAppPlatform: 'tdesktop', tgWebAppThemeParams: JSON.stringify(THEME) });
    await page.goto(`${app.url}/?channelId=${channelId}#${hash.toString()}`);

    const threads = page.getByRole('list', { name: 'Threads' });
    await threads.waitFor({ state: 'attached', timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/inbox');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(23, 33, 43)');
    expect((await telegramEvents(page)).map(([type]) => type)).toContain('web_app_ready');
    await page.screenshot({ path: join(artifactsDir, 'mini-app-inbox.png') });

    const row = threads.getByRole('listitem').filter({ hasText: 'Mila' });
    await row.waitFor({ timeout: 15_000 });
    await row.getByRole('link').click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/inbox\/[0-9a-f-]{36}$/);
    await expect.poll(async () => (await telegramEvents(page)).at(-1)).toEqual(['web_app_setup_back_button', JSON.stringify({ is_visible: true })]);

    // Telegram reports a press of its back button as an event to the page.
    await page.evaluate(() => window.dispatchEvent(new MessageEvent('message', { data: JSON.stringify({ eventType: 'back_button_pressed' }) })));
    await expect.poll(() => new URL(page.url()).pathname).toBe('/inbox');
    await expect.poll(async () => (await telegramEvents(page)).at(-1)).toEqual(['web_app_setup_back_button', JSON.stringify({ is_visible: false })]);
  });

  it('initData of an unlinked Telegram account is refused, and the login page says why', async () => {
    const page = await (await browser.newContext()).newPage();
    const initData = signInitData(TOKEN, { id: 5_399_999, first_name: 'Stranger' });
    await page.goto(`${app.url}/?channelId=${channelId}#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=7.0`);
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 20_000 }).toContain('not linked');
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});

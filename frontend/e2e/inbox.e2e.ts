import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, ensureBuilt, launchBrowser, rootDir, signUp, startApp, startFake, type BrowserHandle, type Person, type RunningApp } from './harness';

const admin: Person = { username: 'olga', displayName: 'Olga Admin', password: 'olga-password-1' };
const anna: Person = { username: 'anna', displayName: 'Anna', password: 'anna-password-1' };
const TOKEN = '7000000001:AAInboxE2eFakeTokenForTheBrowserTest';
const CUSTOMER = { id: 777001, firstName: 'Carl', lastName: 'Customer' };

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`) });

/** The operator inbox in Chromium, with customers writing through the fake Telegram Bot API. */
describe('operator inbox in Chromium through the fake Telegram (e2e)', () => {
  let app: RunningApp;
  let fake: { url: string; stop(): void };
  let browser: BrowserHandle;
  let a: Page;
  let o: Page;
  let adminToken = '';
  let channelId = '';

  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${fake.url}/_fake/bots/${TOKEN}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.json() as Promise<Record<string, unknown>>;
  };
  const sentTexts = async () => ((await control('')).sent as Array<{ text?: string }>).map((s) => s.text);
  const customerWrites = (text: string) => control('/updates', { kind: 'text', text, from: { id: CUSTOMER.id, firstName: CUSTOMER.firstName, lastName: CUSTOMER.lastName } });
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };
  const login = async (who: Person) => (await (await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: who.username, password: who.password }) })).json()).accessToken as string;
  const threadList = (page: Page) => page.getByRole('list', { name: 'Threads' });
  const bubble = (page: Page, text: string) => page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });

  beforeAll(async () => {
    ensureBuilt();
    fake = await startFake('telegram');
    await fetch(`${fake.url}/_fake/bots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN, username: 'inbox_e2e_bot', firstName: 'Shop' }) });
    app = await startApp((port) => ({
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TELEGRAM_API_URL: fake.url,
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    }));
    browser = await launchBrowser();
    o = await (await browser.newContext()).newPage();
    a = await (await browser.newContext()).newPage();
    // The first account of an empty installation is its admin.
    await signUp(o, app.url, admin);
    await signUp(a, app.url, anna);
    adminToken = await login(admin);
    const annaId = ((await api('GET', '/users/me', await login(anna))).body as { id: string }).id;
    const created = await api('POST', '/channels', adminToken, { type: 'telegram', name: 'Shop bot', botToken: TOKEN });
    expect(created.status).toBe(201);
    channelId = created.body.id as string;
    await api('PUT', `/channels/${channelId}/operators`, adminToken, { userIds: [annaId] });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fake?.stop();
  });

  it('shows a customer message live with the channel badge and preview; a reply reaches the fake, a note does not', async () => {
    await a.getByRole('link', { name: 'Inbox' }).click();
    await threadList(a).waitFor({ state: 'attached' });
    await expect.poll(async () => (await customerWrites('Is the red bike still for sale?')).delivery).toMatchObject({ status: 200 });
    const row = threadList(a).getByRole('listitem').filter({ hasText: 'Carl' });
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.textContent()).toContain('Telegram · Shop bot');
    expect(await row.textContent()).toContain('Is the red bike still for sale?');
    expect(await a.getByRole('tab', { name: 'All' }).count()).toBe(1);
    await row.getByRole('link').click();

    const reply = a.getByRole('textbox', { name: 'Reply to the customer' });
    await reply.fill('Yes, it is!');
    await reply.press('Enter');
    await expect.poll(sentTexts, { timeout: 15_000 }).toContain('Yes, it is!');
    await expect.poll(() => bubble(a, 'Yes, it is!').getByText('Delivery: sent').count(), { timeout: 15_000 }).toBe(1);

    await a.getByRole('button', { name: 'Note', exact: true }).click();
    const note = a.getByRole('textbox', { name: /Note for the team/ });
    await note.fill('Customer asked twice already');
    await note.press('Enter');
    await bubble(a, 'Customer asked twice already').getByText('Note', { exact: true }).waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await sentTexts()).not.toContain('Customer asked twice already');
    await a.getByRole('button', { name: 'Reply', exact: true }).click();
    await shot(a, 'inbox-01-thread');
    if (process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(rootDir, 'docs'), { recursive: true });
      copyFileSync(join(artifactsDir, 'inbox-01-thread.png'), join(rootDir, 'docs', 'screenshot-inbox.png'));
    }
  });

  it('shows "blocked" on a message the fake refuses with 403, and a failed delivery sent again succeeds', async () => {
    await control('/fault', { method: 'sendMessage', fault: { kind: 'blocked' }, times: 1 });
    const reply = a.getByRole('textbox', { name: 'Reply to the customer' });
    await reply.fill('Are you there?');
    await reply.press('Enter');
    await bubble(a, 'Are you there?').getByText('Delivery: the customer blocked the bot').waitFor({ timeout: 15_000 });

    await control('/fault', { method: 'sendMessage', fault: { kind: 'parse-entities' }, times: 1 });
    await reply.fill('Price is 100 EUR');
    await reply.press('Enter');
    const failed = bubble(a, 'Price is 100 EUR');
    await failed.getByText('Delivery: failed').waitFor({ timeout: 15_000 });
    await failed.getByRole('button', { name: 'Send again' }).click();
    await failed.getByText('Delivery: sent').waitFor({ timeout: 15_000 });
    expect((await sentTexts()).filter((t) => t === 'Price is 100 EUR')).toHaveLength(1);
  });

  it('two operators in one thread see each other viewing, and the second sender is asked about the reply meanwhile', async () => {
    const url = a.url();
    await o.goto(url);
    await o.getByText('Anna is viewing').waitFor({ timeout: 15_000 });
    await a.getByText('Olga Admin is viewing').waitFor({ timeout: 15_000 });

    const annaReply = a.getByRole('textbox', { name: 'Reply to the customer' });
    await annaReply.fill('It comes with a helmet.');
    await annaReply.press('Enter');
    await expect.poll(sentTexts, { timeout: 15_000 }).toContain('It comes with a helmet.');

    const asked: string[] = [];
    o.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    const olgaReply = o.getByRole('textbox', { name: 'Reply to the customer' });
    await olgaReply.fill('And a lock!');
    await olgaReply.press('Enter');
    await expect.poll(() => asked[0] ?? '', { timeout: 15_000 }).toMatch(/^Anna replied \d+ s ago — send anyway\?$/);
    await expect.poll(sentTexts, { timeout: 15_000 }).toContain('And a lock!');
  });

  it('a short snooze opens the thread again by itself', async () => {
    const chatId = a.url().split('/').pop()!;
    // The list shows every status, so the thread stays in it while snoozed.
    await a.getByRole('combobox', { name: 'Status' }).first().selectOption('');
    const until = new Date(Date.now() + 3000).toISOString();
    const res = await api('PATCH', `/inbox/threads/${chatId}`, adminToken, { status: 'snoozed', snoozedUntil: until });
    expect(res.status).toBe(200);
    const headerStatus = a.locator('header').getByRole('combobox', { name: 'Status' });
    await expect.poll(() => headerStatus.inputValue(), { timeout: 10_000 }).toBe('snoozed');
    await expect.poll(() => headerStatus.inputValue(), { timeout: 30_000 }).toBe('open');
  });

  it('statistics show the first response time of this thread', async () => {
    await a.getByRole('link', { name: 'Statistics' }).click();
    const figure = a.locator('dt', { hasText: 'First response (median)' }).locator('xpath=following-sibling::dd');
    await expect.poll(() => figure.textContent(), { timeout: 15_000 }).toMatch(/^\d+(\.\d+)? (s|min)$/);
    await a.getByRole('img', { name: /Threads opened and resolved per day/ }).waitFor();
    await shot(a, 'inbox-02-stats');
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      const rows = await db.query(`SELECT count(*)::int AS n FROM thread_status_log`);
      expect(rows.rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
    expect(existsSync(join(artifactsDir, 'inbox-02-stats.png'))).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, ensureBuilt, launchBrowser, signUp, startApp, startFake, type BrowserHandle, type Person, type RunningApp } from './harness';

const admin: Person = { username: 'olga', displayName: 'Olga Admin', password: 'olga-password-1' };
const TOKEN = '7000000002:AAAiAgentE2eFakeTokenForTheBrowserTest';
const CUSTOMER = { id: 778001, firstName: 'Dora', lastName: 'Customer' };

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`) });

/** The AI agent in Chromium: set up on the channel settings page, answering through the fake model, taken over. */
describe('AI agent in Chromium through the fake Telegram and the fake model (e2e)', () => {
  let app: RunningApp;
  let telegram: { url: string; stop(): void };
  let llm: { url: string; stop(): void };
  let browser: BrowserHandle;
  let page: Page;

  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${telegram.url}/_fake/bots/${TOKEN}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.json() as Promise<Record<string, unknown>>;
  };
  const sentTexts = async () => ((await control('')).sent as Array<{ text?: string }>).map((s) => s.text);
  const customerWrites = (text: string) => control('/updates', { kind: 'text', text, from: { id: CUSTOMER.id, firstName: CUSTOMER.firstName, lastName: CUSTOMER.lastName } });

  beforeAll(async () => {
    ensureBuilt();
    [telegram, llm] = await Promise.all([startFake('telegram'), startFake('llm')]);
    await fetch(`${telegram.url}/_fake/bots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN, username: 'ai_e2e_bot', firstName: 'Shop' }) });
    await fetch(`${llm.url}/_fake/default`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'We open at 9.' }) });
    app = await startApp((port) => ({
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TELEGRAM_API_URL: telegram.url,
      AI_BASE_URL: `${llm.url}/v1`,
      AI_API_KEY: 'e2e-key',
      BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    }));
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
    // The first account of an empty installation is its admin.
    await signUp(page, app.url, admin);
    const login = await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: admin.username, password: admin.password }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const created = await fetch(`${app.url}/api/v1/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'telegram', name: 'Shop bot', botToken: TOKEN }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    telegram?.stop();
    llm?.stop();
  });

  it('an admin turns the agent on in the channel settings; a customer gets its answer, marked AI; "Take over" hands the thread to people', async () => {
    await page.goto(`${app.url}/inbox/channels`);
    const form = page.getByRole('form', { name: 'AI agent: Shop bot' });
    await form.getByRole('checkbox', { name: 'AI agent answers new threads' }).check();
    await form.getByRole('textbox', { name: 'Model', exact: true }).fill('fake-model');
    await form.getByRole('textbox', { name: 'System prompt' }).fill('You are the shop assistant.');
    await form.getByRole('textbox', { name: /Fallback text/ }).fill('A manager will answer shortly.');
    await form.getByRole('textbox', { name: 'Agent name' }).fill('Shop assistant');
    await form.getByRole('button', { name: 'Save AI settings' }).click();
    await form.getByRole('status').waitFor();

    await customerWrites('When do you open?');
    await expect.poll(sentTexts, { timeout: 15_000 }).toContain('We open at 9.');
    await page.goto(`${app.url}/inbox`);
    await page.getByRole('list', { name: 'Threads' }).getByRole('listitem').filter({ hasText: 'Dora' }).getByRole('link').click();
    const answer = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'We open at 9.' });
    await answer.getByTestId('ai-badge').waitFor({ timeout: 15_000 });
    await answer.getByText('Shop assistant').waitFor();
    const owner = page.getByTestId('thread-owner');
    await expect.poll(() => owner.textContent()).toContain('AI · Shop assistant');
    await shot(page, 'ai-agent-answered');

    await page.getByRole('button', { name: 'Take over' }).click();
    await expect.poll(() => owner.textContent(), { timeout: 10_000 }).toContain('Human');
    await page.getByRole('button', { name: 'Return to AI' }).waitFor();
    await shot(page, 'ai-agent-taken-over');
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, ensureBuilt, launchBrowser, startApp, startFake, type BrowserHandle, type RunningApp } from './harness';

/** A shop's page on its own origin, with CSS that would break a widget living in the page's DOM. */
const shopPage = (appUrl: string, channelId: string, lang: string) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title>
<style>button { background: red !important; width: 3px !important; } ul, li { display: none !important; } * { font-size: 40px; }</style>
</head><body><h1>Bikes</h1>
<script src="${appUrl}/widget.js" data-channel="${channelId}" async></script>
</body></html>`;

/** An 8×8 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWM4YWSEFTEMLQkAc/tLAYZWnK0AAAAASUVORK5CYII=', 'base64');

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`) });

/** The chat widget on another origin's page, in Chromium, talking to an operator who answers through the API. */
describe('website widget in Chromium on another origin (e2e)', () => {
  let app: RunningApp;
  let site: Server;
  let siteUrl = '';
  let browser: BrowserHandle;
  let llm: { url: string; stop(): void };
  let token = '';
  let channelId = '';
  let lang = 'en';

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };

  beforeAll(async () => {
    ensureBuilt();
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(shopPage(app.url, channelId, lang)));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    // The visitor's browser posts images straight to storage, so storage must accept the shop's origin too.
    llm = await startFake('llm');
    await fetch(`${llm.url}/_fake/default`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'We open at 9 every day.' }) });
    app = await startApp((port) => ({ S3_CORS_ORIGINS: `http://127.0.0.1:${port},${siteUrl}`, AI_BASE_URL: `${llm.url}/v1`, AI_API_KEY: 'e2e-key' }));
    // The first account of an empty installation is its admin.
    const reg = await fetch(`${app.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'olga@example.test', username: 'olga', password: 'olga-password-1', displayName: 'Olga from the shop' }),
    });
    token = ((await reg.json()) as { accessToken: string }).accessToken;
    const created = await api('POST', '/channels', { type: 'web', name: 'Bike shop', allowedOrigins: [siteUrl], greeting: 'Hello! Ask us anything.' });
    expect(created.status).toBe(201);
    channelId = created.body.id as string;
    expect(created.body.embedSnippet).toBe(`<script src="${app.url}/widget.js" data-channel="${channelId}" async></script>`);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    site?.close();
    await app?.stop();
    llm?.stop();
  });

  it('a visitor opens the widget and writes; the operator sees it in the inbox and the reply appears live', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(siteUrl);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();
    await launcher.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Chat with Bike shop' });
    await dialog.waitFor();
    const log = dialog.getByRole('log');
    await expect.poll(() => log.textContent()).toContain('Hello! Ask us anything.');
    // Nobody is signed in to the inbox: the visitor is offered to leave an e-mail address.
    await dialog.getByText('we’ll reply by e-mail', { exact: false }).waitFor();

    const box = dialog.getByRole('textbox', { name: 'Message' });
    await box.fill('Do you have the blue bike in size M?');
    await page.keyboard.press('Enter');
    await expect.poll(() => log.textContent()).toContain('Do you have the blue bike in size M?');

    const thread = await (async () => {
      for (let i = 0; i < 100; i++) {
        const res = await api('GET', `/inbox/threads?channelId=${channelId}`);
        const items = (res.body.items ?? []) as Array<{ chat: { id: string }; lastMessage?: { body?: string } }>;
        const found = items.find((t) => t.lastMessage?.body === 'Do you have the blue bike in size M?');
        if (found) return found.chat.id;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the visitor message never reached the inbox');
    })();

    await api('POST', `/chats/${thread}/messages`, { clientId: 'note-1', body: 'check stock first', internal: true });
    const reply = await api('POST', `/chats/${thread}/messages`, { clientId: 'reply-1', body: 'Yes, size M is in stock.' });
    expect(reply.status).toBe(201);
    await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain('Yes, size M is in stock.');
    // Someone answered: the e-mail offer goes away.
    await expect.poll(() => dialog.getByText('we’ll reply by e-mail', { exact: false }).isVisible()).toBe(false);
    expect(await log.textContent()).toContain('Olga from the shop');
    expect(await log.textContent()).not.toContain('check stock first');
    await shot(page, 'widget-reply');

    // The host page's CSS did not reach into the widget: its list items are shown.
    expect(await log.getByRole('listitem').first().isVisible()).toBe(true);

    // Escape closes the panel and gives focus back to the launcher.
    await page.keyboard.press('Escape');
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');

    // A returning visitor (token in localStorage) is connected at once: a reply while the panel is closed shows on
    // the launcher; opening it shows the history and the reply.
    await page.reload();
    const returning = page.getByRole('button', { name: /^Open chat/ });
    await returning.waitFor();
    await page.waitForTimeout(500);
    expect((await api('POST', `/chats/${thread}/messages`, { clientId: 'reply-2', body: 'We are open until 8 pm.' })).status).toBe(201);
    await expect.poll(() => returning.getAttribute('aria-label'), { timeout: 15_000 }).toBe('Open chat, 1 new message');
    await returning.click();
    await expect.poll(() => page.getByRole('log').textContent()).toContain('We are open until 8 pm.');
    expect(await returning.getAttribute('aria-label')).toBe('Open chat');
    await expect.poll(() => page.getByRole('log').textContent()).toContain('Yes, size M is in stock.');
    expect(await page.getByRole('log').textContent()).toContain('Do you have the blue bike in size M?');
  });

  it('a visitor attaches an image; the operator sees it, and the operator\'s image shows in the widget', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(siteUrl);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const log = page.getByRole('log');
    await page.getByRole('dialog', { name: 'Chat with Bike shop' }).waitFor();
    await page.getByRole('button', { name: 'Attach an image' }).waitFor();
    await page.locator('input[type=file]').setInputFiles({ name: 'dent.png', mimeType: 'image/png', buffer: PNG });
    const sent = log.getByRole('img', { name: 'dent.png' });
    await sent.waitFor({ timeout: 15_000 });
    await expect.poll(() => sent.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);

    const threads = await api('GET', `/inbox/threads?channelId=${channelId}`);
    const thread = (threads.body.items as Array<{ chat: { id: string }; lastMessage?: { attachments?: Array<{ fileName: string }> } }>).find((t) =>
      t.lastMessage?.attachments?.some((a) => a.fileName === 'dent.png'),
    );
    expect(thread).toBeTruthy();

    const upload = await api('POST', '/uploads', { chatId: thread!.chat.id, fileName: 'chart.png', contentType: 'image/png', size: PNG.length });
    const instructions = upload.body.upload as { url: string; fields: Record<string, string> };
    const form = new FormData();
    for (const [k, v] of Object.entries(instructions.fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'chart.png');
    expect((await fetch(instructions.url, { method: 'POST', body: form })).ok).toBe(true);
    expect((await api('POST', `/uploads/${upload.body.id as string}/complete`)).status).toBe(200);
    expect((await api('POST', `/chats/${thread!.chat.id}/messages`, { clientId: 'reply-img', body: 'Our size chart', attachmentIds: [upload.body.id] })).status).toBe(201);
    const chart = log.getByRole('img', { name: 'chart.png' });
    await chart.waitFor({ timeout: 15_000 });
    await expect.poll(() => chart.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    await shot(page, 'widget-images');
  });

  it('speaks Russian on a Russian page', async () => {
    lang = 'ru';
    const page = await (await browser.newContext()).newPage();
    await page.goto(siteUrl);
    await page.getByRole('button', { name: 'Открыть чат' }).click();
    await page.getByRole('textbox', { name: 'Сообщение' }).waitFor();
    await page.getByRole('button', { name: 'Закрыть чат' }).waitFor();
  });

  it("on a channel with the AI agent, the visitor gets the model's answer in the widget, under the agent's name", async () => {
    const ai = { enabled: true, mode: 'auto', model: 'fake-model', systemPrompt: 'You answer for a bike shop.', fallbackText: 'A person will answer shortly.', agentName: 'Bike bot' };
    const created = await api('POST', '/channels', { type: 'web', name: 'Bike shop assistant', allowedOrigins: [siteUrl], ai });
    expect(created.status).toBe(201);
    const [previous, previousLang] = [channelId, lang];
    [channelId, lang] = [created.body.id as string, 'en'];
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(siteUrl);
      await page.getByRole('button', { name: 'Open chat' }).click();
      const dialog = page.getByRole('dialog', { name: 'Chat with Bike shop assistant' });
      const log = dialog.getByRole('log');
      await dialog.getByRole('textbox', { name: 'Message' }).fill('When do you open?');
      await page.keyboard.press('Enter');
      await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain('We open at 9 every day.');
      expect(await log.textContent()).toContain('Bike bot');
      await shot(page, 'widget-ai-answer');
    } finally {
      [channelId, lang] = [previous, previousLang];
    }
  });
});

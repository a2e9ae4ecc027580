import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialJsGzipBytes, median, percentile } from './budgets';
import { artifactsDir, DropProxy, ensureBuilt, frontendDir, launchBrowser, rootDir, startApp, type BrowserHandle, type RunningApp } from './harness';

interface Person {
  username: string;
  displayName: string;
  password: string;
}
const alice: Person = { username: 'alice', displayName: 'Alice Liddell', password: 'alice-password-1' };
const bob: Person = { username: 'bob', displayName: 'Bob Builder', password: 'bob-password-1' };
const carol: Person = { username: 'carol', displayName: 'Carol Danvers', password: 'carol-password-1' };

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`) });
const log = (page: Page) => page.getByRole('log');
const chatsNav = (page: Page) => page.getByRole('navigation', { name: 'Chats' });
/** A message bubble in the log by its exact text. */
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const bubble = (page: Page, text: string) => log(page).locator('article').filter({ has: page.locator('[data-body]').filter({ hasText: exactly(text) }) });

async function signUp(page: Page, baseUrl: string, who: Person) {
  await page.goto(`${baseUrl}/login`);
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.getByLabel('Email', { exact: true }).fill(`${who.username}@example.test`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Display name').fill(who.displayName);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await chatsNav(page).waitFor();
}

async function send(page: Page, text: string) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

describe('messenger SPA in Chromium against the app as `pnpm start` runs it (e2e)', () => {
  let app: RunningApp;
  let browser: BrowserHandle;
  let proxy: DropProxy;
  let bobUrl: string;
  let aliceCtx: BrowserContext;
  let bobCtx: BrowserContext;
  let a: Page;
  let b: Page;
  let chatUrlPath = '';

  beforeAll(async () => {
    ensureBuilt();
    app = await startApp();
    browser = await launchBrowser();
    // Bob reaches the app through a relay the test can cut, like a dropped network.
    proxy = new DropProxy(app.port);
    bobUrl = await proxy.start();
    aliceCtx = await browser.newContext();
    bobCtx = await browser.newContext();
    a = await aliceCtx.newPage();
    b = await bobCtx.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.stop();
  });

  it('two people sign up, open a direct chat and talk both ways live, with typing and read receipts', async () => {
    await a.goto(app.url);
    await a.getByRole('button', { name: 'Log in' }).waitFor();
    await shot(a, '01-login');
    await signUp(a, app.url, alice);
    await signUp(b, bobUrl, bob);

    await a.getByRole('button', { name: 'New chat' }).click();
    await a.getByRole('searchbox', { name: 'Search people' }).fill('Bob');
    await shot(a, '02-new-chat-dialog');
    await a.getByRole('button', { name: new RegExp(bob.displayName) }).click();
    await log(a).waitFor();
    await a.waitForURL(/\/chats\/[0-9a-f-]{36}$/);
    chatUrlPath = new URL(a.url()).pathname;

    await send(a, 'Hello Bob! See https://example.com/docs and javascript:alert(1)');
    await bubble(a, 'Hello Bob! See https://example.com/docs and javascript:alert(1)').waitFor();
    await log(a).getByRole('link', { name: 'https://example.com/docs' }).waitFor();
    expect(await log(a).getByRole('link', { name: 'https://example.com/docs' }).getAttribute('rel')).toBe('noopener noreferrer');
    expect(await log(a).getByRole('link').count()).toBe(1);
    await log(a).getByText('Sent', { exact: true }).waitFor();

    // Bob's list shows the new chat live, unread, and opening it shows the message.
    const chatLink = chatsNav(b).getByRole('link', { name: alice.displayName });
    await chatLink.waitFor();
    await chatsNav(b).getByLabel('1 unread').waitFor();
    await shot(b, '03-chat-list-unread');
    await chatLink.click();
    await log(b).getByRole('link', { name: 'https://example.com/docs' }).waitFor();

    // Both are connected: each sees the other online.
    await a.getByRole('main').getByText('online', { exact: true }).waitFor();

    // Bob read it: Alice's receipt turns to "Read".
    await log(a).getByText('Read', { exact: true }).waitFor();

    // Typing shows on the other side, then the message arrives live.
    await b.getByRole('textbox', { name: 'Message' }).pressSequentially('Hi Al');
    await a.getByText(`${bob.displayName} is typing…`).waitFor();
    await b.getByRole('textbox', { name: 'Message' }).press('Enter');
    await bubble(a, 'Hi Al').waitFor();
    await expect.poll(() => a.getByText(`${bob.displayName} is typing…`).count(), { timeout: 10_000 }).toBe(0);

    // Shift+Enter breaks the line; Enter sends both lines as one message.
    const box = b.getByRole('textbox', { name: 'Message' });
    await box.pressSequentially('line one');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    await box.press('Enter');
    await bubble(a, 'line one\nline two').waitFor();
    await log(b).getByText('Read', { exact: true }).last().waitFor();
    await shot(a, '04-chat-alice');
    await shot(b, '05-chat-bob');
    mkdirSync(join(rootDir, 'docs'), { recursive: true });
    copyFileSync(join(artifactsDir, '04-chat-alice.png'), join(rootDir, 'docs', 'screenshot-chat.png'));
  });

  it('reply, edit and delete your own message', async () => {
    await bubble(a, 'Hi Al').hover();
    await bubble(a, 'Hi Al').getByRole('button', { name: 'Reply' }).click();
    await a.getByText(`Replying to ${bob.displayName}`).waitFor();
    await send(a, 'Replying to you');
    const reply = bubble(a, 'Replying to you');
    await reply.getByText(`In reply to ${bob.displayName}`).waitFor();
    await bubble(b, 'Replying to you').getByText(`In reply to ${bob.displayName}`).waitFor();

    await reply.hover();
    await reply.getByRole('button', { name: 'Edit' }).click();
    const box = a.getByRole('textbox', { name: 'Message' });
    await box.fill('Replying to you (fixed)');
    await box.press('Enter');
    await bubble(b, 'Replying to you (fixed)').getByText('edited').waitFor();

    const doomed = bubble(a, 'Replying to you (fixed)');
    await doomed.hover();
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => bubble(b, 'Replying to you (fixed)').count()).toBe(0);
    expect(await log(b).getByText('Message deleted').count()).toBeGreaterThan(0);
  });

  it('a reload keeps the session and the history', async () => {
    await a.reload();
    await chatsNav(a).waitFor();
    await log(a).getByRole('link', { name: 'https://example.com/docs' }).waitFor();
    await bubble(a, 'Hi Al').waitFor();
    expect(await a.getByRole('button', { name: 'Log in' }).count()).toBe(0);
  });

  it('a dropped socket shows "Reconnecting…" and recovers the messages sent meanwhile, once each', async () => {
    proxy.drop();
    await b.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();
    // Alice sees Bob go offline, with a last-seen time.
    await a.getByRole('main').getByText(/^last seen /).waitFor({ timeout: 20_000 });
    await shot(b, '06-reconnecting');
    const missed: string[] = ['while you were away 1', 'while you were away 2', 'while you were away 3'];
    for (const text of missed) {
      await send(a, text);
      await bubble(a, text).getByText('Sent', { exact: true }).or(bubble(a, text).getByText('Read', { exact: true })).waitFor();
    }
    // An edit made meanwhile must arrive too.
    const third = bubble(a, missed[2]!);
    await third.hover();
    await third.getByRole('button', { name: 'Edit' }).click();
    await a.getByRole('textbox', { name: 'Message' }).fill(`${missed[2]} (edited)`);
    await a.getByRole('textbox', { name: 'Message' }).press('Enter');
    await bubble(a, `${missed[2]} (edited)`).waitFor();
    missed[2] = `${missed[2]} (edited)`;
    proxy.restore();
    await expect.poll(() => b.getByText('Reconnecting…').count(), { timeout: 20_000 }).toBe(0);
    for (const text of missed) await bubble(b, text).waitFor();
    for (const text of missed) expect(await bubble(b, text).count()).toBe(1);
    // Seqs on screen are strictly increasing: no gap was papered over, nothing doubled.
    const seqs = await log(b).locator('article[data-seq]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
  });

  it('a third person cannot open the chat by its URL', async () => {
    const ctx = await browser.newContext();
    const c = await ctx.newPage();
    await signUp(c, app.url, carol);
    await c.goto(`${app.url}${chatUrlPath}`);
    await c.getByText('This chat does not exist or you are not a member.').waitFor();
    expect(await c.getByText('Hi Al').count()).toBe(0);
    expect(await chatsNav(c).getByRole('link').count()).toBe(0);
    await shot(c, '07-not-a-member');
    await ctx.close();
  });

  it('works as one column with a back button on a phone, and follows the dark system theme', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true });
    const p = await ctx.newPage();
    await p.goto(`${app.url}/login`);
    await p.getByLabel('Email or username').fill(alice.username);
    await p.getByLabel('Password').fill(alice.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await chatsNav(p).getByRole('link', { name: bob.displayName }).click();
    await log(p).waitFor();
    expect(await chatsNav(p).isVisible()).toBe(false);
    await shot(p, '08-mobile-dark-chat');
    await p.getByRole('link', { name: 'Back to chats' }).click();
    await chatsNav(p).waitFor();
    expect(await log(p).count()).toBe(0);
    await ctx.close();
  });

  it('measures the budgets: initial JS, first chat list, browser-to-browser latency', async () => {
    const js = initialJsGzipBytes(join(frontendDir, 'dist'));

    const loads: number[] = [];
    const p = await aliceCtx.newPage();
    for (let i = 0; i < 5; i++) {
      await p.goto(app.url);
      await chatsNav(p).getByRole('link').first().waitFor();
      // Time from navigation start to the first chat link on screen, in the page's own clock.
      loads.push(await p.evaluate(() => performance.now()));
    }
    await p.close();

    // Both pages stamp with the same machine clock: Alice when Enter goes down, Bob when the text appears.
    await b.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { __seen: Record<string, number> }).__seen = seen;
      new MutationObserver(() => {
        const now = performance.timeOrigin + performance.now();
        for (const el of document.querySelectorAll('[role=log] article p')) {
          const m = /^lat-\d+$/.exec(el.textContent ?? '');
          if (m && !(m[0] in seen)) seen[m[0]] = now;
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await a.evaluate(() => {
      const sent: Record<string, number> = {};
      (window as unknown as { __sent: Record<string, number> }).__sent = sent;
      document.addEventListener(
        'keydown',
        (e) => {
          const t = e.target as HTMLTextAreaElement;
          if (e.key === 'Enter' && t.tagName === 'TEXTAREA') sent[t.value] = performance.timeOrigin + performance.now();
        },
        true,
      );
    });
    const latencies: number[] = [];
    const box = a.getByRole('textbox', { name: 'Message' });
    for (let i = 0; i < 50; i++) {
      const text = `lat-${i}`;
      await box.fill(text);
      await box.press('Enter');
      await b.waitForFunction((t) => t in (window as unknown as { __seen: Record<string, number> }).__seen, text, { polling: 'raf' });
      const sentAt = await a.evaluate((t) => (window as unknown as { __sent: Record<string, number> }).__sent[t]!, text);
      const seenAt = await b.evaluate((t) => (window as unknown as { __seen: Record<string, number> }).__seen[t]!, text);
      latencies.push(seenAt - sentAt);
    }

    const kb = (n: number) => (n / 1024).toFixed(1);
    console.log(
      [
        '',
        'budgets (this machine, app local):',
        `  initial JS gzipped:             ${kb(js.bytes)} KB (budget 200 KB) — ${js.files.join(', ')}`,
        `  first chat list visible:        median ${median(loads).toFixed(0)} ms over ${loads.length} loads, max ${Math.max(...loads).toFixed(0)} ms (budget 1000 ms)`,
        `  message latency browser→browser: median ${median(latencies).toFixed(1)} ms, p90 ${percentile(latencies, 90).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} sends (budget 200 ms median)`,
        '',
      ].join('\n'),
    );
    expect(js.bytes).toBeLessThanOrEqual(200 * 1024);
    expect(latencies).toHaveLength(50);
  });
});

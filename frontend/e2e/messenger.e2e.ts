import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import * as sdk from '@messenger/api-client';
import { createClient, createConfig } from '@messenger/api-client/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialJsGzipBytes, median, percentile } from './budgets';
import { alice, artifactsDir, bob, chatsNav, DropProxy, ensureBuilt, frontendDir, launchBrowser, log, rootDir, signUp, startApp, type BrowserHandle, type Person, type RunningApp } from './harness';

const carol: Person = { username: 'carol', displayName: 'Carol Danvers', password: 'carol-password-1' };

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`) });
/** A message bubble in the log by its exact text. */
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const bubble = (page: Page, text: string) => log(page).locator('article').filter({ has: page.locator('[data-body]').filter({ hasText: exactly(text) }) });


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
    expect(await b.title()).toBe('(1) Messenger');
    await shot(b, '03-chat-list-unread');
    await chatLink.click();
    await log(b).getByRole('link', { name: 'https://example.com/docs' }).waitFor();
    await log(b).getByRole('separator', { name: 'Unread messages' }).waitFor();
    await expect.poll(() => b.title()).toBe('Messenger');

    // Bob sees Alice online: she opened the chat and wrote. Alice sees Bob's presence only once he has answered.
    await b.getByRole('main').getByText('online', { exact: true }).waitFor();

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
    // The README's picture is refreshed on request only, so a test run leaves the work tree clean.
    const readmeShot = join(rootDir, 'docs', 'screenshot-chat.png');
    if (process.env.UPDATE_SCREENSHOT === '1' || !existsSync(readmeShot)) {
      mkdirSync(join(rootDir, 'docs'), { recursive: true });
      copyFileSync(join(artifactsDir, '04-chat-alice.png'), readmeShot);
    }
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
    // Bob has answered, so Alice now sees him online.
    await a.getByRole('main').getByText('online', { exact: true }).waitFor();
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

  it('groups: create one with a title and members, add and remove a member, and leave', async () => {
    const ctx = await browser.newContext();
    const c = await ctx.newPage();
    await c.goto(`${app.url}/login`);
    await c.getByLabel('Email or username').fill(carol.username);
    await c.getByLabel('Password').fill(carol.password);
    await c.getByRole('button', { name: 'Log in' }).click();
    await chatsNav(c).waitFor();

    await a.getByRole('button', { name: 'New chat' }).click();
    await a.getByRole('tab', { name: 'New group' }).click();
    await a.getByLabel('Group title').fill('Project X');
    await a.getByRole('searchbox', { name: 'Search people' }).fill('Bob');
    await a.getByRole('button', { name: new RegExp(bob.displayName) }).click();
    await a.getByRole('button', { name: 'Create group' }).click();
    await a.getByRole('heading', { name: 'Project X' }).waitFor();
    await a.getByText('2 members').waitFor();
    await send(a, 'welcome to the group');
    await chatsNav(b).getByRole('link', { name: 'Project X' }).waitFor();

    await a.getByRole('button', { name: 'Members' }).click();
    const members = a.getByRole('dialog', { name: 'Members' });
    await members.getByRole('searchbox', { name: 'Search people' }).fill('Carol');
    await members.getByRole('button', { name: new RegExp(carol.displayName) }).click();
    await members.getByRole('list', { name: 'Members' }).getByText(carol.displayName, { exact: true }).waitFor();
    await chatsNav(c).getByRole('link', { name: 'Project X' }).waitFor();
    await a.getByText('3 members').waitFor();
    await shot(a, '09-group-members');

    await members.getByRole('button', { name: `Remove ${carol.displayName}` }).click();
    await a.getByText('2 members').waitFor();
    await expect.poll(() => chatsNav(c).getByRole('link', { name: 'Project X' }).count(), { timeout: 10_000 }).toBe(0);
    await members.getByRole('button', { name: 'Close' }).click();

    await chatsNav(b).getByRole('link', { name: 'Project X' }).click();
    await bubble(b, 'welcome to the group').waitFor();
    await b.getByRole('button', { name: 'Members' }).click();
    await b.getByRole('dialog', { name: 'Members' }).getByRole('button', { name: 'Leave group' }).click();
    await expect.poll(() => chatsNav(b).getByRole('link', { name: 'Project X' }).count()).toBe(0);
    await a.getByText('1 member', { exact: true }).waitFor();
    await ctx.close();
    // Back to the direct chat for the tests that follow.
    await chatsNav(a).getByRole('link', { name: bob.displayName }).click();
    await chatsNav(b).getByRole('link', { name: alice.displayName }).click();
    await log(b).waitFor();
  });

  it('raises a desktop notification for a new message only while the tab is hidden, once allowed', async () => {
    const ctx = await browser.newContext({ permissions: ['notifications'] });
    // Headless Chromium shows no notifications and never hides a tab: record them and steer visibility instead.
    await ctx.addInitScript(() => {
      const w = window as unknown as { __notes: Array<{ title: string; body?: string }>; __hidden: boolean };
      w.__notes = [];
      w.__hidden = false;
      class RecordedNotification {
        static permission = 'granted';
        static requestPermission = () => Promise.resolve('granted');
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          w.__notes.push({ title, body: options?.body });
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: RecordedNotification });
      Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
    });
    const p = await ctx.newPage();
    await p.goto(`${app.url}/login`);
    await p.getByLabel('Email or username').fill(bob.username);
    await p.getByLabel('Password').fill(bob.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await chatsNav(p).waitFor();
    await p.getByRole('button', { name: 'Settings' }).click();
    await p.getByText('Notifications are on').waitFor();
    await p.getByRole('button', { name: 'Close' }).click();

    const notes = () => p.evaluate(() => (window as unknown as { __notes: Array<{ title: string; body?: string }> }).__notes);
    await send(a, 'seen while looking');
    await chatsNav(p).getByText('seen while looking').waitFor();
    expect(await notes()).toEqual([]);
    await p.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
    });
    await send(a, 'ping while hidden');
    await expect.poll(notes).toEqual([{ title: alice.displayName, body: 'ping while hidden' }]);
    await ctx.close();
  });

  it('switches the interface to Russian in settings, and back', async () => {
    await a.getByRole('button', { name: 'Settings' }).click();
    await a.getByLabel('Language').selectOption('ru');
    await a.getByRole('button', { name: 'Закрыть' }).click();
    await a.getByRole('textbox', { name: 'Сообщение' }).waitFor();
    await a.getByRole('navigation', { name: 'Чаты' }).getByRole('button', { name: 'Новый чат' }).waitFor();
    expect(await a.evaluate(() => document.documentElement.lang)).toBe('ru');
    await shot(a, '10-russian');
    await a.getByRole('button', { name: 'Настройки' }).click();
    await a.getByLabel('Язык').selectOption('en');
    await a.getByRole('button', { name: 'Close' }).click();
    await a.getByRole('textbox', { name: 'Message' }).waitFor();
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

  it('a chat with 10,000 messages opens at the newest, keeps only a window of them in the page, and pages older ones in place', { timeout: 300_000 }, async () => {
    const anon = createClient(createConfig({ baseUrl: app.url }));
    const { data: auth } = await sdk.login({ client: anon, body: { login: carol.username, password: carol.password }, throwOnError: true });
    const client = createClient(createConfig({ baseUrl: app.url, headers: { Authorization: `Bearer ${auth.accessToken}` } }));
    const { data: found } = await sdk.searchUsers({ client, query: { search: alice.username }, throwOnError: true });
    const { data: chat } = await sdk.createChat({ client, body: { type: 'direct', userId: found.items.find((u) => u.username === alice.username)!.id }, throwOnError: true });
    const total = 10_000;
    const viaApi = 10;
    // One chat takes one committed transaction per message through the API (about 75 a second on this
    // machine), so the older history is written as a fixture in one statement and the newest go through the API.
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    await db.query(
      `INSERT INTO messages (chat_id, seq, sender_id, client_id, body, created_at)
       SELECT $1, g, $2, 'seed-' || g, 'bulk ' || (g - 1), now() - (($3 - g) * interval '1 second') FROM generate_series(1, $3) g`,
      [chat.id, auth.user.id, total - viaApi],
    );
    await db.query('UPDATE chats SET last_message_seq = $2 WHERE id = $1', [chat.id, total - viaApi]);
    await db.end();
    for (let i = total - viaApi; i < total; i++) {
      await sdk.sendMessage({ client, path: { chatId: chat.id }, body: { clientId: `seed-api-${i}`, body: `bulk ${i}` }, throwOnError: true });
    }

    await chatsNav(a).getByRole('link', { name: carol.displayName }).click();
    await bubble(a, `bulk ${total - 1}`).waitFor();
    const rendered = await log(a).locator('article').count();
    expect(rendered).toBeLessThan(80);

    const older = a.waitForRequest((r) => /\/messages\?.*before=/.test(r.url()));
    await log(a).evaluate((el) => {
      el.scrollTop = 0;
    });
    await older;
    await a.getByRole('button', { name: 'Jump to latest' }).waitFor();
    // The older page went in above what was on screen: the view did not jump to its top.
    await expect.poll(() => log(a).evaluate((el) => el.scrollTop)).toBeGreaterThan(200);
    expect(await log(a).locator('article').count()).toBeLessThan(80);
    await shot(a, '11-long-history');

    await a.getByRole('button', { name: 'Jump to latest' }).click();
    await bubble(a, `bulk ${total - 1}`).waitFor();
    await expect.poll(() => a.getByRole('button', { name: 'Jump to latest' }).count()).toBe(0);
  });
});

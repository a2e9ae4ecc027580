import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as sdk from '@messenger/api-client';
import { createClient, createConfig } from '@messenger/api-client/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, artifactsDir, bob, ensureBuilt, launchBrowser, log, signUp, startApp, type BrowserHandle, type RunningApp } from './harness';

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`) });

describe('search and scheduled messages in the SPA (e2e, Chromium)', () => {
  let app: RunningApp;
  let browser: BrowserHandle;
  let a: Page;
  let chatId = '';

  beforeAll(async () => {
    ensureBuilt();
    app = await startApp();
    browser = await launchBrowser();
    a = await (await browser.newContext()).newPage();
    const b = await (await browser.newContext()).newPage();
    await signUp(a, app.url, alice);
    await signUp(b, app.url, bob);
    await b.close();

    // A long history from Bob through the API: the message to find sits far above the newest page.
    const anon = createClient(createConfig({ baseUrl: app.url }));
    const { data } = await sdk.login({ client: anon, body: { login: bob.username, password: bob.password }, throwOnError: true });
    const api = createClient(createConfig({ baseUrl: app.url, headers: { Authorization: `Bearer ${data.accessToken}` } }));
    const people = await sdk.searchUsers({ client: api, query: { q: alice.username }, throwOnError: true });
    const chat = await sdk.createChat({ client: api, body: { type: 'direct', userId: people.data.items[0]!.id }, throwOnError: true });
    chatId = chat.data.id;
    for (let i = 1; i <= 150; i++) {
      const body = i === 20 ? 'Адрес доставки: Новосибирск, улица Ленина, 12' : `Сообщение номер ${i}`;
      await sdk.sendMessage({ client: api, path: { chatId }, body: { clientId: `seed-${i}`, body }, throwOnError: true });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('finds a message with Ctrl+K and opens the chat at it, highlighted, with pages around it', async () => {
    await a.goto(`${app.url}/chats`);
    const box = a.getByRole('combobox', { name: 'Search messages' });
    await box.waitFor();
    await a.getByRole('main').click();
    await a.keyboard.press('Control+k');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);
    // A different form of the word: the stem matches.
    await box.fill('новосибирска');
    const results = a.getByRole('listbox', { name: 'Search results' });
    const hit = results.getByRole('option', { name: /Новосибирск, улица Ленина/ });
    await hit.waitFor();
    expect(await hit.locator('mark').allTextContents()).toEqual(['Новосибирск']);
    await results.getByRole('group', { name: bob.displayName }).waitFor();
    await shot(a, 'search-01-results');

    await box.press('ArrowDown');
    await box.press('ArrowUp');
    await expect.poll(() => hit.getAttribute('aria-selected'), { timeout: 10_000 }).toBe('true');
    await box.press('Enter');
    await a.waitForURL(new RegExp(`/chats/${chatId}\\?message=20$`));

    const found = log(a).locator('article[data-highlighted="true"]');
    await found.waitFor();
    expect(await found.getAttribute('data-seq')).toBe('20');
    await expect.poll(() => found.isVisible(), { timeout: 10_000 }).toBe(true);
    // Older and newer neighbours are loaded around it.
    await log(a).locator('article[data-seq="5"]').waitFor({ state: 'attached' });
    await log(a).locator('article[data-seq="35"]').waitFor({ state: 'attached' });
    await shot(a, 'search-02-opened-at-message');

    // Back to the live end of the chat.
    await a.getByRole('button', { name: /Jump to latest/ }).click();
    await a.waitForURL(new RegExp(`/chats/${chatId}$`));
    await log(a).locator('article[data-seq="150"]').waitFor();
  });

  it('opened at a message, loads the newer pages while scrolling down and the older ones while scrolling up', async () => {
    await a.goto(`${app.url}/chats/${chatId}?message=20`);
    const found = log(a).locator('article[data-highlighted="true"]');
    await found.waitFor();
    const seqs = () => log(a).locator('article[data-seq]').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq'))));
    // The first page is the one around seq 20 (50 messages): nothing from the live end yet.
    expect(Math.max(...(await seqs()))).toBeLessThan(100);
    const requests: string[] = [];
    a.on('request', (r) => void (r.url().includes(`/chats/${chatId}/messages`) && requests.push(r.url())));
    await expect
      .poll(
        async () => {
          await log(a).evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
          return Math.max(...(await seqs()));
        },
        { timeout: 30_000, interval: 300 },
      )
      .toBe(150);
    expect(requests.some((u) => new URL(u).searchParams.has('after'))).toBe(true);
    // Still the opened-at-a-message view, now at the newest message: nothing newer to offer.
    expect(a.url()).toMatch(new RegExp(`/chats/${chatId}\\?message=20$`));
    await a.getByRole('button', { name: /Jump to latest/ }).waitFor({ state: 'detached' });
    await expect
      .poll(
        async () => {
          await log(a).evaluate((el) => el.scrollTo({ top: 0 }));
          return Math.min(...(await seqs()));
        },
        { timeout: 30_000, interval: 300 },
      )
      .toBe(1);
    // Each message once, whatever order the pages came in.
    await log(a).evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
    const middle = await seqs();
    expect(new Set(middle).size).toBe(middle.length);
  });

  it('searches in this chat only, from the chat header', async () => {
    await a.getByRole('button', { name: 'Search in this chat' }).click();
    const box = a.getByRole('combobox', { name: 'Search messages' });
    await expect.poll(() => box.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);
    await box.fill('номер 14*');
    await a.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /Сообщение номер 14\b/ }).first().waitFor();
    await box.press('Escape');
  });

  it('schedules the typed text with a preset, lists it, and cancels it', async () => {
    const input = a.getByRole('textbox', { name: 'Message' });
    await input.fill('Напоминание: оплатить счёт');
    await a.getByRole('button', { name: 'Schedule', exact: true }).click();
    await a.getByRole('dialog', { name: 'Send later' }).getByRole('button', { name: /In an hour/ }).click();
    const bar = a.getByRole('region', { name: 'Scheduled messages' });
    await bar.getByRole('button', { name: '1 scheduled message' }).click();
    await bar.getByText('Напоминание: оплатить счёт').waitFor();
    expect(await input.inputValue()).toBe('');
    // Not in the chat for anyone yet.
    expect(await log(a).getByText('Напоминание: оплатить счёт').count()).toBe(0);
    await shot(a, 'search-03-scheduled');
    await bar.getByRole('button', { name: 'Cancel sending' }).click();
    await bar.waitFor({ state: 'detached' });
  });
});

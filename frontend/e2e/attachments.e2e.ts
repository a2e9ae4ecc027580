import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, artifactsDir, bob, chatsNav, ensureBuilt, launchBrowser, log, signUp, startApp, type BrowserHandle, type RunningApp } from './harness';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
};
/** A real PNG (RGB, one colour) of the given size, built without an image library. */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => rgb[i % 3]!)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}


const tray = (page: Page) => page.getByRole('list', { name: 'Files to send' });


/** Loaded pixels, not just an <img> element: proves the redirect, the media cookie and the CSP all let it through. */
const naturalWidth = (page: Page, name: string) =>
  log(page)
    .getByRole('img', { name, exact: true })
    .evaluate((img) => (img as HTMLImageElement).naturalWidth);

describe('attachments in the SPA (Chromium e2e, embedded object storage as `pnpm start` runs it)', () => {
  let app: RunningApp;
  let browser: BrowserHandle;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    ensureBuilt();
    app = await startApp();
    browser = await launchBrowser();
    a = await (await browser.newContext()).newPage();
    b = await (await browser.newContext()).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('one person attaches an image, the other sees its thumbnail live and opens it full size', async () => {
    await signUp(a, app.url, alice);
    await signUp(b, app.url, bob);
    await a.getByRole('button', { name: 'New chat' }).click();
    await a.getByRole('searchbox', { name: 'Search people' }).fill('Bob');
    await a.getByRole('button', { name: new RegExp(bob.displayName) }).click();
    await log(a).waitFor();
    await chatsNav(b).getByRole('link', { name: alice.displayName }).waitFor();
    await chatsNav(b).getByRole('link', { name: alice.displayName }).click();
    await log(b).waitFor();

    // The picker: the upload goes straight to storage, then the server checks it.
    await a.getByTestId('attach-input').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: png(800, 600, [250, 120, 40]) });
    await tray(a).locator('li[data-status="ready"]').waitFor();
    await a.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => tray(a).locator('li').count()).toBe(0);

    // Bob gets the message live and sees the WebP thumbnail (320 px wide), then the original in the viewer.
    await expect.poll(() => naturalWidth(b, 'sunset.png').catch(() => 0), { timeout: 20_000 }).toBe(320);
    expect(await log(b).getByRole('img', { name: 'sunset.png' }).getAttribute('src')).toMatch(/^\/api\/v1\/attachments\/[0-9a-f-]{36}\/thumbnail$/);
    await b.screenshot({ path: join(artifactsDir, '10-attachment-thumbnail.png') });
    await log(b).getByRole('button', { name: 'Open image sunset.png' }).click();
    const viewer = b.getByRole('dialog', { name: 'sunset.png' });
    await expect.poll(() => viewer.getByRole('img', { name: 'sunset.png' }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(800);
    await viewer.getByRole('button', { name: 'Close' }).click();
  });

  it('pasting an image attaches it; other files travel as cards with a download link; a spoofed file shows why it was refused', async () => {
    // Paste, as from the clipboard.
    await a.getByRole('textbox', { name: 'Message' }).evaluate((el, bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, [...png(64, 48, [30, 160, 90])]);
    await tray(a).locator('li[data-status="ready"]').waitFor();

    await a.getByTestId('attach-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('bring snacks\n') });
    await expect.poll(() => tray(a).locator('li[data-status="ready"]').count()).toBe(2);
    await a.getByRole('textbox', { name: 'Message' }).fill('photo and notes');
    await a.getByRole('textbox', { name: 'Message' }).press('Enter');

    await log(b).getByText('photo and notes').waitFor();
    const card = log(b).getByRole('link', { name: 'Download notes.txt' });
    await card.waitFor();
    expect(await card.getAttribute('href')).toMatch(/^\/api\/v1\/attachments\/[0-9a-f-]{36}$/);
    await expect.poll(() => naturalWidth(b, 'pasted.png').catch(() => 0), { timeout: 20_000 }).toBe(64);

    await a.getByTestId('attach-input').setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: Buffer.from('<html>not an image</html>') });
    const refused = tray(a).locator('li[data-status="rejected"]');
    await refused.getByRole('alert').filter({ hasText: 'Not accepted: the file content is not image/png' }).waitFor();
    expect(await a.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await refused.getByRole('button', { name: 'Remove cat.png' }).click();
    await expect.poll(() => tray(a).locator('li').count()).toBe(0);
  });
});

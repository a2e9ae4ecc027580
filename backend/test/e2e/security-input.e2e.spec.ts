import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';
import { closeAllSockets, connect, request } from '../helpers/socket';

const cursor = (text: string) => Buffer.from(text).toString('base64url');

/** input edges — sync cursors, invisible and bidi characters. */
describe('input edges', () => {
  let t: TestApp;
  let alice: TestUser;
  let chatId: string;
  beforeAll(async () => {
    t = await startApp();
    alice = await registerUser(t.url);
    const bob = await registerUser(t.url);
    chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
  });
  afterEach(() => closeAllSockets());
  afterAll(() => t.close());

  it('answers /sync cursors with out-of-range numbers with 400 naming since, never 500', async () => {
    const chat = randomUUID();
    for (const text of [`99999999999999999999.0.${chat}.1`, `18446744073709551616.1.${chat}.0`, `5.2.${chat}.9999999999`, `5.2.${chat}.2147483648`]) {
      await expectError(sdk.sync({ client: alice.client, query: { since: cursor(text) } }), 400, 'since');
    }
    // The largest legal values are still a cursor.
    const edge = await sdk.sync({ client: alice.client, query: { since: cursor(`18446744073709551615.2.${chat}.2147483647`) } });
    expect(edge.response.status).toBe(200);
  });

  it('removes bidi controls from message bodies and refuses a body of only invisible characters', async () => {
    const sent = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: 'pay \u202Eexe.pdf\u202C now' }, throwOnError: true });
    expect(sent.data.body).toBe('pay exe.pdf now');
    for (const body of ['\u200B', '\u202E\u2066\u200D', ' \uFEFF\u2060 ']) {
      await expectError(sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body } }), 400, 'body');
    }
    // Emoji built with zero-width joiners are text, and survive.
    const family = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: '👨‍👩‍👧' }, throwOnError: true });
    expect(family.data.body).toBe('👨‍👩‍👧');
    const edited = await sdk.editMessage({ client: alice.client, path: { id: family.data.id }, body: { body: 'ok\u202E!' }, throwOnError: true });
    expect(edited.data.body).toBe('ok!');
  });

  it('applies the same rules over the socket', async () => {
    const socket = await connect(t.url, alice.accessToken);
    const blank = await request<{ ok: boolean; error?: { code: string; fields?: string[] } }>(socket, 'message:send', { chatId, clientId: randomUUID(), body: '\u2067\u200B' });
    expect(blank).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: ['body'] } });
    const ok = await request<{ ok: boolean; message?: { body: string } }>(socket, 'message:send', { chatId, clientId: randomUUID(), body: '\u202Dhi' });
    expect(ok).toMatchObject({ ok: true, message: { body: 'hi' } });
  });

  it('strips format characters from upload file names', async () => {
    const res = await sdk.createUpload({
      client: alice.client,
      body: { chatId, fileName: 'invoice\u202Efdp.exe', contentType: 'application/octet-stream', size: 10 },
      throwOnError: true,
    });
    expect(res.data.attachment.fileName).toBe('invoicefdp.exe');
  });
});

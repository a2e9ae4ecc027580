import { createClient, createConfig } from '@messenger/api-client/client';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, registerUser, sdk, type TestUser, sentNow } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';
import { jpeg, objectExists, png, putDirectly, requestUpload, sendBytes, uploadFile } from '../helpers/uploads';

const MAX = 100_000;

describe('attachments through presigned uploads (e2e, real S3-compatible server)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let chatId: string;

  beforeAll(async () => {
    t = await startApp({ UPLOAD_MAX_BYTES: String(MAX), UPLOAD_QUOTA_BYTES: String(4 * MAX) });
    [alice, bob, carol] = await Promise.all([registerUser(t.url), registerUser(t.url), registerUser(t.url)]);
    chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
  });
  afterAll(() => t.close());

  /** The generated client, but showing redirects instead of following them. */
  const noFollow = (user: TestUser | null) =>
    createClient(
      createConfig({
        baseUrl: t.url,
        headers: user ? { Authorization: `Bearer ${user.accessToken}` } : {},
        fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, redirect: 'manual' }),
      }),
    );
  const send = (user: TestUser, body: { body?: string; attachmentIds?: string[] }, chat = chatId) =>
    sdk.sendMessage({ client: user.client, path: { chatId: chat }, body: { clientId: randomUUID(), ...body } });

  it('uploads straight to storage with a presigned POST, completes, sends without text, and serves members a short-lived link', async () => {
    const image = await png(640, 480);
    const upload = await requestUpload(alice, chatId, { name: 'holiday photo.png', type: 'image/png', size: image.length });
    expect(upload.instructions.method).toBe('POST');
    expect(upload.instructions.fields?.['Content-Type']).toBe('image/png');
    // Ids only in the key: never the client's file name.
    expect(upload.key).toBe(`attachments/${chatId}/${upload.id}`);
    expect(upload.key).not.toContain('holiday');

    const stored = await sendBytes(upload, image, 'image/png');
    expect(stored.status).toBeLessThan(300);
    expect(stored.headers.get('access-control-allow-origin')).toBeTruthy();

    const done = (await sdk.completeUpload({ client: alice.client, path: { id: upload.id }, throwOnError: true })).data;
    expect(done).toMatchObject({ id: upload.id, status: 'ready', fileName: 'holiday photo.png', contentType: 'image/png', size: image.length });
    expect(done.url).toBe(`/api/v1/attachments/${upload.id}`);
    // Completing twice answers the same verdict.
    expect((await sdk.completeUpload({ client: alice.client, path: { id: upload.id }, throwOnError: true })).data.status).toBe('ready');

    const sent = await send(alice, { attachmentIds: [upload.id] });
    expect(sent.response.status).toBe(201);
    expect(sent.data!.body).toBe('');
    expect(sentNow(sent.data).attachments).toEqual([expect.objectContaining({ id: upload.id, status: 'ready', fileName: 'holiday photo.png', size: image.length })]);

    const history = await sdk.listMessages({ client: bob.client, path: { chatId }, throwOnError: true });
    expect(history.data.items[0].attachments.map((a) => a.id)).toEqual([upload.id]);

    const redirect = await sdk.getAttachment({ client: noFollow(bob), path: { id: upload.id } });
    expect(redirect.response.status).toBe(302);
    expect(redirect.response.headers.get('x-content-type-options')).toBe('nosniff');
    const location = new URL(redirect.response.headers.get('location')!);
    expect(location.origin).toBe(new URL(t.config.storage.publicEndpoint).origin);
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);
    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toMatch(/^inline; filename="holiday photo.png"/);
    expect(Buffer.from(await file.arrayBuffer()).equals(image)).toBe(true);
  });

  it('serves non-images as downloads, keeps the exact name in Content-Disposition, and authenticates <img>-style requests by the media cookie', async () => {
    const text = Buffer.from('meeting notes: bring snacks\n');
    const done = await uploadFile(alice, chatId, text, 'notes "Q3" — final.txt', 'text/plain');
    expect(done.status).toBe('ready');
    await send(alice, { body: 'see notes', attachmentIds: [done.id] });

    const redirect = await sdk.getAttachment({ client: noFollow(bob), path: { id: done.id } });
    const file = await fetch(redirect.response.headers.get('location')!);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="notes _Q3_ _ final.txt"; filename\*=UTF-8''notes%20%22Q3%22%20%E2%80%94%20final.txt$/);
    expect(await file.text()).toBe(text.toString());

    // A browser sends no bearer token for <img src> or a download link: the httpOnly media cookie from login does it.
    const login = await sdk.login({ client: anonymous(t.url), body: { login: bob.username, password: bob.password } });
    const cookie = login.response.headers.getSetCookie().find((c) => c.startsWith('msg_media='))!;
    expect(cookie).toMatch(/Path=\/api\/v1\/attachments; .*HttpOnly; SameSite=Strict/);
    const viaCookie = await fetch(`${t.url}/api/v1/attachments/${done.id}`, { redirect: 'manual', headers: { Cookie: cookie.split(';')[0] } });
    expect(viaCookie.status).toBe(302);
    expect((await fetch(`${t.url}/api/v1/attachments/${done.id}`, { redirect: 'manual' })).status).toBe(401);
    const forged = `msg_media=${bob.id}.${Math.floor(Date.now() / 1000) + 3600}.forged`;
    expect((await fetch(`${t.url}/api/v1/attachments/${done.id}`, { redirect: 'manual', headers: { Cookie: forged } })).status).toBe(401);
  });

  it('rejects at complete, and deletes, an object over the limit even though storage accepted it', async () => {
    const declared = await png(10, 10);
    const upload = await requestUpload(alice, chatId, { name: 'small.png', type: 'image/png', size: declared.length });
    // Storage enforces the policy's content-length-range (the embedded gateway, MinIO and S3 alike)...
    const tooBig = Buffer.concat([await png(10, 10), Buffer.alloc(MAX + 10, 7)]);
    const refused = await sendBytes(upload, tooBig, 'image/png');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('content-length-range');
    // ...and the API does not rely on it: an object that got there anyway is checked at complete.
    await putDirectly(upload.key, tooBig, 'image/png');
    expect(await objectExists(upload.key)).toBe(true);

    const done = (await sdk.completeUpload({ client: alice.client, path: { id: upload.id }, throwOnError: true })).data;
    expect(done.status).toBe('rejected');
    expect(done.reason).toMatch(/over the .* limit/);
    expect(await objectExists(upload.key)).toBe(false);
    // A rejected upload cannot be sent.
    await expectError(send(alice, { body: 'x', attachmentIds: [upload.id] }), 400, 'attachmentIds');
  });

  it('rejects a size that differs from the declared one', async () => {
    const bytes = await png(20, 20);
    const upload = await requestUpload(alice, chatId, { name: 'a.png', type: 'image/png', size: bytes.length + 5 });
    expect((await sendBytes(upload, bytes, 'image/png')).status).toBe(403);
    await putDirectly(upload.key, bytes, 'image/png');
    const done = (await sdk.completeUpload({ client: alice.client, path: { id: upload.id }, throwOnError: true })).data;
    expect(done).toMatchObject({ status: 'rejected', reason: `the uploaded file has ${bytes.length} bytes, but ${bytes.length + 5} were declared` });
    expect(await objectExists(upload.key)).toBe(false);
  });

  it('rejects a spoofed content type, read from the first bytes', async () => {
    const fakePng = Buffer.from('<html><script>alert(1)</script></html>');
    const spoofed = await uploadFile(alice, chatId, fakePng, 'cat.png', 'image/png');
    expect(spoofed).toMatchObject({ status: 'rejected', reason: 'the file content is not image/png' });
    expect(await objectExists(spoofed.key)).toBe(false);

    const jpg = await jpeg(30, 30);
    const renamed = await uploadFile(alice, chatId, jpg, 'cat.png', 'image/png');
    expect(renamed).toMatchObject({ status: 'rejected', reason: 'the file content is image/jpeg, not the declared image/png' });

    const binaryAsText = await uploadFile(alice, chatId, await png(8, 8), 'readme.txt', 'text/plain');
    expect(binaryAsText).toMatchObject({ status: 'rejected', reason: 'the file content is image/png, not the declared text/plain' });
  });

  it('answers complete with 409 while nothing was uploaded, and keeps the upload pending', async () => {
    const upload = await requestUpload(alice, chatId, { name: 'later.png', type: 'image/png', size: 100 });
    await expectError(sdk.completeUpload({ client: alice.client, path: { id: upload.id } }), 409);
  });

  it('checks the request: member of the chat, size limit naming the field, MIME syntax, quota', async () => {
    await expectError(sdk.createUpload({ client: carol.client, body: { chatId, fileName: 'a.png', contentType: 'image/png', size: 10 } }), 404);
    const tooLarge = await expectError(
      sdk.createUpload({ client: alice.client, body: { chatId, fileName: 'a.png', contentType: 'image/png', size: MAX + 1 } }),
      413,
      'size',
    );
    expect(tooLarge.message).toContain(String(MAX));
    await expectError(sdk.createUpload({ client: alice.client, body: { chatId, fileName: 'a', contentType: 'not a type', size: 1 } }), 400, 'contentType');
    await expectError(sdk.createUpload({ client: alice.client, body: { chatId, fileName: '', contentType: 'image/png', size: 1 } }), 400, 'fileName');
    await expectError(sdk.createUpload({ client: alice.client, body: { chatId, fileName: 'a', contentType: 'image/png', size: 0 } }), 400, 'size');

    // Quota: pending and ready uploads count until they are rejected or cleaned up.
    const dave = await registerUser(t.url);
    const daveChat = (await sdk.createChat({ client: dave.client, body: { type: 'direct', userId: alice.id }, throwOnError: true })).data.id;
    for (let i = 0; i < 4; i++) await requestUpload(dave, daveChat, { name: `${i}.bin`, type: 'application/octet-stream', size: MAX });
    const quota = await expectError(
      sdk.createUpload({ client: dave.client, body: { chatId: daveChat, fileName: 'one-more.bin', contentType: 'application/octet-stream', size: 1 } }),
      413,
    );
    expect(quota.message).toMatch(/quota exceeded/);
  });

  it('hides attachments from non-members (404) and refuses to attach anything but your own ready uploads of this chat', async () => {
    const image = await png(16, 16);
    const done = await uploadFile(alice, chatId, image, 'secret.png', 'image/png');

    // Unsent: only the uploader sees it, even inside the chat.
    await expectError(sdk.getAttachment({ client: noFollow(bob), path: { id: done.id } }), 404);
    await send(alice, { attachmentIds: [done.id] });

    await expectError(sdk.getAttachment({ client: noFollow(carol), path: { id: done.id } }), 404);
    await expectError(sdk.getAttachmentThumbnail({ client: noFollow(carol), path: { id: done.id } }), 404);
    await expectError(sdk.completeUpload({ client: carol.client, path: { id: done.id } }), 404);
    await expectError(sdk.getAttachment({ client: noFollow(carol), path: { id: randomUUID() } }), 404);
    await expectError(sdk.getAttachment({ client: noFollow(carol), path: { id: 'not-a-uuid' } }), 400, 'id');

    const carolChat = (await sdk.createChat({ client: carol.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
    await expectError(send(carol, { body: 'look', attachmentIds: [done.id] }, carolChat), 400, 'attachmentIds');
    // Not even a member of the chat can re-send someone else's file, and nothing is sent twice.
    await expectError(send(bob, { body: 'mine now', attachmentIds: [done.id] }), 400, 'attachmentIds');
    await expectError(send(alice, { body: 'again', attachmentIds: [done.id] }), 400, 'attachmentIds');
    // A foreign chat is still a 404 first.
    await expectError(send(carol, { body: 'x', attachmentIds: [done.id] }, chatId), 404);
  });

  it('validates the message: text required without attachments, 1..4000 characters when present, ids unique', async () => {
    await expectError(send(alice, {}), 400, 'body');
    await expectError(send(alice, { body: '' }), 400, 'body');
    const done = await uploadFile(alice, chatId, await png(4, 4), 'p.png', 'image/png');
    await expectError(send(alice, { body: 'x'.repeat(4001), attachmentIds: [done.id] }), 400, 'body');
    await expectError(send(alice, { body: '   ', attachmentIds: [done.id] }), 400, 'body');
    await expectError(send(alice, { body: 'x', attachmentIds: [done.id, done.id] }), 400, 'attachmentIds');
    await expectError(send(alice, { body: 'x', attachmentIds: ['nope'] }), 400, 'attachmentIds');
    await expectError(send(alice, { body: 'x', attachmentIds: [] }), 400, 'attachmentIds');

    // The same clientId again returns the stored message with its attachments, never a second row.
    const clientId = randomUUID();
    const first = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId, attachmentIds: [done.id] }, throwOnError: true });
    const again = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId, attachmentIds: [done.id] }, throwOnError: true });
    expect(again.data.id).toBe(first.data.id);
    expect(sentNow(again.data).attachments.map((a) => a.id)).toEqual([done.id]);
  });

  it('keeps the attachment order of the send, and drops attachments from a deleted message', async () => {
    const files = [];
    for (const name of ['one.png', 'two.png', 'three.png']) files.push(await uploadFile(alice, chatId, await png(5, 5), name, 'image/png'));
    const ids = [files[2].id, files[0].id, files[1].id];
    const message = sentNow((await send(alice, { body: 'three', attachmentIds: ids })).data);
    expect(message.attachments.map((a) => a.id)).toEqual(ids);

    await sdk.deleteMessage({ client: alice.client, path: { id: message.id }, throwOnError: true });
    const history = await sdk.listMessages({ client: bob.client, path: { chatId }, throwOnError: true });
    expect(history.data.items.find((m) => m.id === message.id)!.attachments).toEqual([]);
    await expectError(sdk.getAttachment({ client: noFollow(bob), path: { id: ids[0] } }), 404);
  });

  it('makes a WebP thumbnail of at most 320 px and records the image size', async () => {
    const done = await uploadFile(alice, chatId, await jpeg(1200, 900), 'wide.jpg', 'image/jpeg');
    await send(alice, { attachmentIds: [done.id] });
    let thumbnailUrl: string | undefined;
    for (let i = 0; i < 100 && !thumbnailUrl; i++) {
      const items = (await sdk.listMessages({ client: bob.client, path: { chatId }, query: { limit: 5 }, throwOnError: true })).data.items;
      const attachment = items.flatMap((m) => m.attachments).find((a) => a.id === done.id)!;
      thumbnailUrl = attachment.thumbnailUrl;
      if (thumbnailUrl) expect(attachment).toMatchObject({ width: 1200, height: 900 });
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(thumbnailUrl).toBe(`/api/v1/attachments/${done.id}/thumbnail`);
    const redirect = await sdk.getAttachmentThumbnail({ client: noFollow(bob), path: { id: done.id } });
    expect(redirect.response.status).toBe(302);
    const thumb = await fetch(redirect.response.headers.get('location')!);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320, height: 240 });

    // A text file has no thumbnail.
    const text = await uploadFile(alice, chatId, Buffer.from('plain'), 'a.txt', 'text/plain');
    await send(alice, { attachmentIds: [text.id] });
    await expectError(sdk.getAttachmentThumbnail({ client: noFollow(bob), path: { id: text.id } }), 404);
  });

  it('lets users switch the e-mail digest off and on', async () => {
    const me = await sdk.getMe({ client: bob.client, throwOnError: true });
    expect(me.data.emailDigest).toBe(true);
    const off = await sdk.updateMe({ client: bob.client, body: { emailDigest: false }, throwOnError: true });
    expect(off.data.emailDigest).toBe(false);
    expect((await sdk.getMe({ client: bob.client, throwOnError: true })).data.emailDigest).toBe(false);
    await expectError(sdk.updateMe({ client: bob.client, body: { emailDigest: 'no' as unknown as boolean } }), 400, 'emailDigest');
    await sdk.updateMe({ client: bob.client, body: { emailDigest: true }, throwOnError: true });
  });
});

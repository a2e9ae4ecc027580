import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { BUCKET, png, requestUpload, s3, sendBytes, storedKeyOf, uploadFile } from '../helpers/uploads';

/** the embedded storage verifies signatures and policies, and uploads cannot be swapped. */
describe('embedded storage is not an open file server', () => {
  let t: TestApp;
  let alice: TestUser;
  let chatId: string;
  const endpoint = () => inject('s3').endpoint;
  beforeAll(async () => {
    t = await startApp();
    alice = await registerUser(t.url);
    const bob = await registerUser(t.url);
    chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
  });
  afterAll(() => t.close());

  it('refuses anonymous list, read and write of the bucket', async () => {
    const done = await uploadFile(alice, chatId, await png(8, 8), 'p.png', 'image/png');
    for (const [method, path] of [
      ['GET', `/${BUCKET}`],
      ['GET', `/${BUCKET}?list-type=2`],
      ['GET', '/'],
      ['GET', `/${BUCKET}/${done.key}`],
      ['HEAD', `/${BUCKET}/${done.key}`],
      ['PUT', `/${BUCKET}/attachments/planted.html`],
      ['DELETE', `/${BUCKET}/${done.key}`],
    ] as const) {
      const res = await fetch(`${endpoint()}${path}`, { method, body: method === 'PUT' ? '<script>alert(1)</script>' : undefined });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    // A client with the wrong secret is refused too; the right one (the app's) still works.
    const forged = new S3Client({ endpoint: endpoint(), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await expect(forged.send(new GetObjectCommand({ Bucket: BUCKET, Key: done.key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect((await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: done.key }))).ContentLength).toBeGreaterThan(0);
  });

  it('serves files only through valid, unexpired presigned URLs', async () => {
    const done = await uploadFile(alice, chatId, await png(9, 9), 'q.png', 'image/png');
    const link = await fetch(`${t.url}/api/v1/attachments/${done.id}`, { headers: { Authorization: `Bearer ${alice.accessToken}` }, redirect: 'manual' });
    const location = link.headers.get('location')!;
    expect((await fetch(location)).status).toBe(200);
    const url = new URL(location);
    url.pathname = url.pathname.replace(/\.[^./]+$/, '.other');
    expect((await fetch(url)).status).toBe(403);
    const tampered = new URL(location);
    tampered.searchParams.set('response-content-type', 'text/html');
    expect((await fetch(tampered)).status).toBe(403);
    const expired = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: BUCKET, Key: done.key }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 60_000),
    });
    expect((await fetch(expired)).status).toBe(403);
  });

  it('enforces the POST policy: a form for one key, type and size cannot be used for another', async () => {
    const bytes = await png(10, 10);
    const upload = await requestUpload(alice, chatId, { name: 'r.png', type: 'image/png', size: bytes.length });
    const elsewhere = { ...upload, instructions: { ...upload.instructions, fields: { ...upload.instructions.fields, key: 'attachments/planted.html' } } };
    expect((await sendBytes(elsewhere, bytes, 'image/png')).status).toBe(403);
    const otherType = { ...upload, instructions: { ...upload.instructions, fields: { ...upload.instructions.fields, 'Content-Type': 'text/html' } } };
    expect((await sendBytes(otherType, bytes, 'text/html')).status).toBe(403);
    expect((await sendBytes(upload, Buffer.concat([bytes, Buffer.from('x')]), 'image/png')).status).toBe(403);
    expect((await sendBytes(upload, bytes, 'image/png')).status).toBeLessThan(300);
  });

  it('allows CORS for the app origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${endpoint()}/${BUCKET}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    const mine = await preflight(new URL(t.config.mail.publicUrl).origin);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('access-control-allow-origin')).not.toBeNull();
    const foreign = await preflight('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('cannot swap a file after complete: posting the form again does not change what is served', async () => {
    const original = await png(30, 30);
    const upload = await requestUpload(alice, chatId, { name: 'safe.png', type: 'image/png', size: original.length });
    expect((await sendBytes(upload, original, 'image/png')).status).toBeLessThan(300);
    const done = (await sdk.completeUpload({ client: alice.client, path: { id: upload.id }, throwOnError: true })).data;
    expect(done.status).toBe('ready');
    // The same still-valid form, now with other bytes of the same size and declared type.
    const swapped = Buffer.alloc(original.length, 0x41);
    await sendBytes(upload, swapped, 'image/png');
    const link = await fetch(`${t.url}/api/v1/attachments/${upload.id}`, { headers: { Authorization: `Bearer ${alice.accessToken}` }, redirect: 'manual' });
    const served = Buffer.from(await (await fetch(link.headers.get('location')!)).arrayBuffer());
    expect(served.equals(original)).toBe(true);
    expect(await storedKeyOf(upload.key)).not.toBe(upload.key);
  });
});

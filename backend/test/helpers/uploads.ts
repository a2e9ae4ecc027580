import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { inject } from 'vitest';
import { sdk, type TestUser } from './api';

export const BUCKET = 'messenger';

/** A client for the run's real S3-compatible server, to look at what the app stored. */
export function s3(): S3Client {
  const { endpoint, accessKey, secretKey } = inject('s3');
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function objectExists(key: string): Promise<boolean> {
  try {
    await s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

export function png(width: number, height: number, options: { compressionLevel?: number } = {}): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .png({ compressionLevel: options.compressionLevel ?? 6 })
    .toBuffer();
}

export function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 60 } } }).jpeg().toBuffer();
}

export interface Upload {
  id: string;
  key: string;
  instructions: { method: 'POST' | 'PUT'; url: string; fields?: Record<string, string>; headers?: Record<string, string> };
}

/** Asks the API for an upload, as a browser would. */
export async function requestUpload(user: TestUser, chatId: string, file: { name: string; type: string; size: number }): Promise<Upload> {
  const res = await sdk.createUpload({
    client: user.client,
    body: { chatId, fileName: file.name, contentType: file.type, size: file.size },
    throwOnError: true,
  });
  const { id, upload } = res.data;
  return { id, key: upload.fields?.key ?? '', instructions: upload };
}

/** Follows the upload instructions generically: a real multipart POST (or PUT) of the bytes to object storage. */
export async function sendBytes(upload: Upload, bytes: Buffer, type: string): Promise<Response> {
  const { method, url, fields, headers } = upload.instructions;
  if (method === 'PUT') return fetch(url, { method, headers, body: new Uint8Array(bytes) });
  const form = new FormData();
  for (const [name, value] of Object.entries(fields ?? {})) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), 'upload.bin');
  return fetch(url, { method: 'POST', body: form, headers: { Origin: 'http://localhost:3000' } });
}

/** Request, send and complete; returns the completed attachment. */
export async function uploadFile(user: TestUser, chatId: string, bytes: Buffer, name: string, type: string) {
  const upload = await requestUpload(user, chatId, { name, type, size: bytes.length });
  const sent = await sendBytes(upload, bytes, type);
  if (!sent.ok) throw new Error(`storage refused the upload: ${sent.status} ${await sent.text()}`);
  const done = await sdk.completeUpload({ client: user.client, path: { id: upload.id }, throwOnError: true });
  return { ...done.data, key: (await storedKeyOf(upload.key)) ?? upload.key };
}

/** Where a completed upload's file lives: `complete` moves it from the upload key to an immutable one beside it. */
export async function storedKeyOf(uploadKey: string): Promise<string | undefined> {
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${uploadKey}.` }));
  return listed.Contents?.[0]?.Key;
}

/** Writes an object with the storage's own credentials, as a storage that ignored the upload policy would have. */
export async function putDirectly(key: string, bytes: Buffer, type: string): Promise<void> {
  await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, ContentType: type }));
}

import { createScope, getCanonicalQuery, SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import { Readable } from 'node:stream';

/**
 * The embedded object storage (s3rver) checks neither SigV4 signatures nor POST policies, and answers anonymous
 * requests. This gateway sits in front of it on the only port it has: every request must carry a valid signature
 * of our credentials (Authorization header, presigned query, or a signed POST policy whose conditions the form
 * meets), signed with the AWS SDK's own signer; anything else is 403 before s3rver sees it. CORS preflights pass
 * through, and s3rver answers them from the bucket's CORS rules (the app's origin only).
 */
export interface GatewayOptions {
  accessKey: string;
  secretKey: string;
  region: string;
  /** Larger bodies are refused (the upload limit plus the form's overhead). */
  maxBodyBytes: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED = 'UNSIGNED-PAYLOAD';
/** S3 accepts a header-signed request within 15 minutes of its X-Amz-Date. */
const CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest presigned URL S3 accepts (7 days). */
const MAX_EXPIRES_SECONDS = 604_800;

const toBuffer = (data: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof data === 'string' ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}

class Refusal extends Error {
  constructor(
    readonly code: 'AccessDenied' | 'SignatureDoesNotMatch' | 'RequestTimeTooSkewed' | 'EntityTooLarge' | 'InvalidPolicyDocument',
    message: string,
    readonly status = 403,
  ) {
    super(message);
  }
}

const sha256Hex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** `20250101T000000Z` → Date. */
function parseAmzDate(value: string | undefined): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) throw new Refusal('AccessDenied', 'X-Amz-Date is missing or malformed');
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

export function storageGateway(options: GatewayOptions, next: RequestListener): RequestListener {
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKey, secretAccessKey: options.secretKey },
    region: options.region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });

  const checkCredential = (credential: string | undefined, amzDate: string): { scope: string } => {
    const [key, day, region, service, terminator] = (credential ?? '').split('/');
    if (key !== options.accessKey) throw new Refusal('AccessDenied', 'unknown access key');
    if (day !== amzDate.slice(0, 8) || region !== options.region || service !== 's3' || terminator !== 'aws4_request') {
      throw new Refusal('AccessDenied', 'the credential scope does not match');
    }
    return { scope: createScope(day, region, service) };
  };

  const signatureOf = (stringToSign: string, signingDate: Date) => signer.sign(stringToSign, { signingDate });

  async function verifyCanonical(request: IncomingMessage, url: URL, signed: { amzDate: string; scope: string; signedHeaders: string; signature: string; payloadHash: string }) {
    const names = signed.signedHeaders.split(';');
    if (!names.includes('host')) throw new Refusal('AccessDenied', 'the host header must be signed');
    const canonicalHeaders = names
      .map((name) => {
        const raw = request.headers[name];
        const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
        return `${name}:${String(value).trim().replace(/\s+/g, ' ')}\n`;
      })
      .join('');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const seen = query[k];
      query[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
    }
    const canonicalRequest = [
      request.method,
      url.pathname,
      getCanonicalQuery({ query } as Parameters<typeof getCanonicalQuery>[0]),
      canonicalHeaders,
      signed.signedHeaders,
      signed.payloadHash,
    ].join('\n');
    const stringToSign = [ALGORITHM, signed.amzDate, signed.scope, sha256Hex(canonicalRequest)].join('\n');
    const expected = await signatureOf(stringToSign, parseAmzDate(signed.amzDate));
    if (!sameHex(expected, signed.signature)) throw new Refusal('SignatureDoesNotMatch', 'the request signature does not match');
  }

  async function verifyHeaderSigned(request: IncomingMessage, url: URL, body: Buffer): Promise<void> {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(request.headers.authorization ?? '');
    if (!m) throw new Refusal('AccessDenied', 'only AWS4-HMAC-SHA256 signatures are accepted');
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    if (Math.abs(parseAmzDate(amzDate).getTime() - Date.now()) > CLOCK_SKEW_MS) throw new Refusal('RequestTimeTooSkewed', 'X-Amz-Date is too far from now');
    const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
    if (payloadHash !== UNSIGNED && !(/^[0-9a-f]{64}$/.test(payloadHash) && sameHex(payloadHash, sha256Hex(body)))) {
      throw new Refusal('SignatureDoesNotMatch', 'x-amz-content-sha256 does not match the body');
    }
    const { scope } = checkCredential(m[1], amzDate);
    await verifyCanonical(request, url, { amzDate, scope, signedHeaders: m[2], signature: m[3], payloadHash });
  }

  async function verifyPresigned(request: IncomingMessage, url: URL): Promise<void> {
    const q = url.searchParams;
    if (q.get('X-Amz-Algorithm') !== ALGORITHM) throw new Refusal('AccessDenied', 'only AWS4-HMAC-SHA256 signatures are accepted');
    const amzDate = q.get('X-Amz-Date') ?? '';
    const expires = Number(q.get('X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) throw new Refusal('AccessDenied', 'X-Amz-Expires is invalid');
    const signedAt = parseAmzDate(amzDate).getTime();
    if (Date.now() > signedAt + expires * 1000) throw new Refusal('AccessDenied', 'Request has expired');
    if (signedAt - Date.now() > CLOCK_SKEW_MS) throw new Refusal('RequestTimeTooSkewed', 'X-Amz-Date is in the future');
    const { scope } = checkCredential(q.get('X-Amz-Credential') ?? undefined, amzDate);
    await verifyCanonical(request, url, {
      amzDate,
      scope,
      signedHeaders: q.get('X-Amz-SignedHeaders') ?? '',
      signature: q.get('X-Amz-Signature') ?? '',
      payloadHash: q.get('X-Amz-Content-Sha256') ?? UNSIGNED,
    });
  }

  async function verifyPostPolicy(request: IncomingMessage, url: URL, body: Buffer): Promise<void> {
    const form = parseMultipart(String(request.headers['content-type'] ?? ''), body);
    if (!form) throw new Refusal('AccessDenied', 'a browser upload must be multipart/form-data');
    const field = (name: string) => form.fields.get(name.toLowerCase());
    const policyB64 = field('policy');
    if (!policyB64 || !form.file) throw new Refusal('AccessDenied', 'a POST upload needs a signed policy and a file');
    if (field('x-amz-algorithm') !== ALGORITHM) throw new Refusal('AccessDenied', 'only AWS4-HMAC-SHA256 policies are accepted');
    const amzDate = field('x-amz-date') ?? '';
    parseAmzDate(amzDate);
    checkCredential(field('x-amz-credential'), amzDate);
    const expected = await signatureOf(policyB64, parseAmzDate(amzDate));
    if (!sameHex(expected, field('x-amz-signature') ?? '')) throw new Refusal('SignatureDoesNotMatch', 'the policy signature does not match');

    let policy: { expiration?: string; conditions?: unknown[] };
    try {
      policy = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8')) as typeof policy;
    } catch {
      throw new Refusal('InvalidPolicyDocument', 'the policy is not JSON', 400);
    }
    if (!policy.expiration || !(Date.parse(policy.expiration) > Date.now())) throw new Refusal('AccessDenied', 'Invalid according to Policy: Policy expired');
    const bucket = url.pathname.split('/')[1] ?? '';
    const values = new Map(form.fields);
    values.set('bucket', bucket);
    const covered = new Set(['policy', 'x-amz-signature', 'file']);
    for (const condition of policy.conditions ?? []) {
      const fail = (what: string) => new Refusal('AccessDenied', `Invalid according to Policy: Policy Condition failed: ${what}`);
      if (Array.isArray(condition)) {
        const [op, rawName, a, b] = condition as [string, string, unknown, unknown];
        if (op === 'content-length-range') {
          const size = form.file.length;
          if (size < Number(rawName) || size > Number(a)) throw fail('content-length-range');
          continue;
        }
        const name = String(rawName).replace(/^\$/, '').toLowerCase();
        covered.add(name);
        const value = values.get(name) ?? '';
        if (op === 'eq' && value !== String(a)) throw fail(`["eq", "$${name}"]`);
        if (op === 'starts-with' && !value.startsWith(String(a))) throw fail(`["starts-with", "$${name}"]`);
        if (op !== 'eq' && op !== 'starts-with') throw fail(op);
        void b;
      } else if (condition && typeof condition === 'object') {
        for (const [rawName, expectedValue] of Object.entries(condition)) {
          const name = rawName.toLowerCase();
          covered.add(name);
          if ((values.get(name) ?? '') !== String(expectedValue)) throw fail(`${name}`);
        }
      }
    }
    for (const name of form.fields.keys()) {
      if (!covered.has(name) && !name.startsWith('x-ignore-')) throw new Refusal('AccessDenied', `Invalid according to Policy: Extra input fields: ${name}`);
    }
  }

  return (request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://storage.invalid');
      // Preflights carry no credentials by design; s3rver answers them from the bucket CORS rules.
      if (request.method === 'OPTIONS') return next(request, response);
      const body = await readBody(request, options.maxBodyBytes);
      if (request.headers.authorization) await verifyHeaderSigned(request, url, body);
      else if (url.searchParams.has('X-Amz-Signature')) await verifyPresigned(request, url);
      else if (request.method === 'POST' && url.pathname.split('/').filter(Boolean).length === 1) await verifyPostPolicy(request, url, body);
      else throw new Refusal('AccessDenied', 'Anonymous access is not allowed');
      next(replay(request, body), response);
    })().catch((error: unknown) => {
      const refusal = error instanceof Refusal ? error : new Refusal('AccessDenied', 'the request could not be verified', 400);
      if (response.headersSent) return response.destroy();
      response.writeHead(refusal.status, { 'Content-Type': 'application/xml', Connection: 'close' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message.replace(/[<>&]/g, '')}</Message></Error>`);
    });
  };
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Refusal('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The verified request again, with the body that was read for verification, for s3rver to consume. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const stream = Readable.from(body.length > 0 ? [body] : []) as Readable & Partial<IncomingMessage>;
  for (const key of ['headers', 'rawHeaders', 'method', 'url', 'httpVersion', 'httpVersionMajor', 'httpVersionMinor', 'socket', 'trailers'] as const) {
    Object.defineProperty(stream, key, { value: request[key], writable: true, configurable: true });
  }
  Object.defineProperty(stream, 'connection', { value: request.socket, writable: true, configurable: true });
  return stream as IncomingMessage;
}

/** Fields (lower-cased names) and the file of a multipart/form-data body; null when it is not one. */
function parseMultipart(contentType: string, body: Buffer): { fields: Map<string, string>; file?: Buffer } | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields = new Map<string, string>();
  let file: Buffer | undefined;
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) return null;
    const part = body.subarray(partStart + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) return null;
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1]?.toLowerCase();
    if (name === 'file') file = content;
    else if (name) fields.set(name, content.toString('utf8'));
    start = next;
  }
  return { fields, file };
}

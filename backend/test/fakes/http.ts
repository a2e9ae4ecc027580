import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Shared plumbing of the fake provider servers: listening, bodies, multipart, faults. */

export interface FakeServer {
  server: Server;
  url: string;
  /**
   * Stops listening (open connections are destroyed), so clients get ECONNREFUSED: a provider that cannot be
   * reached at all, the one failure a client knows happened before its request was written. `false` listens again
   * on the same port.
   */
  setOffline(offline: boolean): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Listens on 127.0.0.1 (an ephemeral port unless given). Every open socket is tracked so close() ends
 * keep-alive connections and requests a fault left hanging, instead of waiting for them forever.
 */
export async function listen(handler: Handler, opts: { port?: number; host?: string } = {}): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, { error: 'fake server error', message: (error as Error).message });
      } else {
        res.destroy();
      }
    });
  });
  // Longer than the clients' idle sockets usually live, so a client never reuses a socket the fake is closing.
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let offline = false;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return {
    server,
    url: `http://${host}:${port}`,
    setOffline: async (value) => {
      if (value === offline) return;
      offline = value;
      if (value) return stop();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    close: () => {
      offline = true;
      return stop();
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendBytes(res: ServerResponse, status: number, data: Buffer, contentType: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': data.length });
  res.end(data);
}

/** Reads the whole body; rejects past `limit` bytes (the caller answers 413). */
export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class BodyTooLargeError extends Error {
  constructor() {
    super('body too large');
  }
}

export interface UploadedPart {
  field: string;
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  fields: Record<string, unknown>;
  files: UploadedPart[];
  raw: Buffer;
  kind: 'json' | 'form' | 'multipart' | 'empty' | 'other';
}

/**
 * Decodes a request body the way the providers accept it: JSON, urlencoded form, or multipart/form-data.
 * The multipart reader is lenient on purpose: grammY writes lower-case part headers without a space after the
 * colon and an unquoted filename, curl and fetch's FormData write the quoted standard form.
 */
export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  const type = (contentType ?? '').toLowerCase();
  if (raw.length === 0) return { fields: {}, files: [], raw, kind: 'empty' };
  if (type.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('JSON body must be an object');
    return { fields: parsed as Record<string, unknown>, files: [], raw, kind: 'json' };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { fields: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), files: [], raw, kind: 'form' };
  }
  if (type.startsWith('multipart/form-data')) {
    const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    if (!match) throw new SyntaxError('multipart body without a boundary');
    return { ...parseMultipart(raw, (match[1] ?? match[2]).trim()), raw, kind: 'multipart' };
  }
  return { fields: {}, files: [], raw, kind: 'other' };
}

function parseMultipart(raw: Buffer, boundary: string): { fields: Record<string, unknown>; files: UploadedPart[] } {
  const fields: Record<string, unknown> = {};
  const files: UploadedPart[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let position = raw.indexOf(delimiter);
  if (position < 0) throw new SyntaxError('multipart body without its boundary');
  for (;;) {
    position += delimiter.length;
    if (raw.subarray(position, position + 2).toString() === '--') break;
    if (raw.subarray(position, position + 2).toString() === '\r\n') position += 2;
    const next = raw.indexOf(Buffer.from(`\r\n--${boundary}`), position);
    if (next < 0) throw new SyntaxError('multipart part without a closing boundary');
    const part = raw.subarray(position, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new SyntaxError('multipart part without headers');
    const headers = new Map<string, string>();
    for (const line of part.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const data = part.subarray(headerEnd + 4);
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    const fileName = dispositionParam(disposition, 'filename');
    if (name !== undefined) {
      if (fileName !== undefined) {
        files.push({ field: name, fileName, contentType: headers.get('content-type') ?? 'application/octet-stream', data: Buffer.from(data) });
      } else {
        fields[name] = data.toString('utf8');
      }
    }
    position = next + 2;
  }
  return { fields, files };
}

function dispositionParam(disposition: string, key: string): string | undefined {
  const quoted = new RegExp(`(?:^|;)\\s*${key}="([^"]*)"`, 'i').exec(disposition);
  if (quoted) return quoted[1];
  const bare = new RegExp(`(?:^|;)\\s*${key}=([^;]*)`, 'i').exec(disposition);
  return bare ? bare[1].trim() : undefined;
}

/** A fault armed on a fake: applies to the next `remaining` matching requests (Infinity = until cleared). */
export interface ArmedFault<F> {
  key: string;
  fault: F;
  remaining: number;
}

export class FaultTable<F> {
  private readonly armed: Array<ArmedFault<F>> = [];

  set(key: string, fault: F | null, times?: number): void {
    for (let i = this.armed.length - 1; i >= 0; i -= 1) if (this.armed[i].key === key) this.armed.splice(i, 1);
    if (fault) this.armed.push({ key, fault, remaining: times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.armed.length = 0;
  }

  /** The fault that applies to this request, spending one of its uses; exact keys win over patterns and '*'. */
  take(matches: (key: string) => boolean): F | null {
    const candidates = this.armed.filter((entry) => entry.remaining > 0 && matches(entry.key));
    if (candidates.length === 0) return null;
    candidates.sort((a, b) => rank(a.key) - rank(b.key));
    const chosen = candidates[0];
    chosen.remaining -= 1;
    if (chosen.remaining <= 0) this.armed.splice(this.armed.indexOf(chosen), 1);
    return chosen.fault;
  }

  list(): Array<{ key: string; fault: F; remaining: number | null }> {
    return this.armed.map((entry) => ({
      key: entry.key,
      fault: entry.fault,
      remaining: Number.isFinite(entry.remaining) ? entry.remaining : null,
    }));
  }
}

function rank(key: string): number {
  if (key === '*') return 2;
  return key.includes('*') ? 1 : 0;
}

/** Abandons a request without a reply: the socket stays open (a hang) or is destroyed after `ms`. */
export function hang(res: ServerResponse, ms?: number): void {
  if (ms !== undefined) setTimeout(() => res.socket?.destroy(), ms).unref();
}

/** Resets the connection without reading the request, as a provider that is down would look to the client. */
export function refuse(req: IncomingMessage): void {
  const socket = req.socket;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * The `/_fake/offline {ms}` control route: answers, then goes offline for `ms` (a bound is required, since nothing
 * could switch the fake back on over HTTP while it is offline).
 */
export function offlineFor(server: Pick<FakeServer, 'setOffline'>, res: ServerResponse, ms: unknown): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    sendJson(res, 400, { error: 'ms (how long to stay offline, > 0) is required' });
    return;
  }
  res.on('finish', () => {
    void server.setOffline(true).then(() => setTimeout(() => void server.setOffline(false), ms));
  });
  sendJson(res, 200, { offlineForMs: ms });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** POSTs JSON to a webhook URL; status 0 means no HTTP answer (refused, reset or timed out). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; body: string; error?: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: '', error: (error as Error).message };
  }
}

/** Route matching for the control surfaces: `/_fake/bots/:token/fault` → { token }. */
export function route(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import type { EmbeddedStorage, Env } from '@/core/config';
import { ConfigError } from '@/core/config';
import { storageGateway } from '@/core/storage-gateway';

export interface ResolvedServices {
  databaseUrl: string;
  redisUrl: string;
  embeddedDatabase: boolean;
  storage?: EmbeddedStorage;
  stop(): Promise<void>;
}

type Log = (msg: string) => void;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Sends a RESP PING and waits for +PONG; used to find a Redis without a client library. */
function redisAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => finish(chunk.toString().startsWith('+PONG')));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function startEmbeddedRedis(dataDir: string, log: Log): Promise<{ url: string; child: ChildProcess }> {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new ConfigError(
      'No Redis: nothing answers on 127.0.0.1:6379 and redis-server is not on the PATH — install it (apt-get install redis-server, brew install redis) or set REDIS_URL',
    );
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '60 1', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  if (!(await waitFor(() => redisAnswers('127.0.0.1', port), 10_000))) {
    child.kill('SIGKILL');
    throw new ConfigError(`Embedded redis-server did not answer on port ${port} within 10 s`);
  }
  log(`embedded redis-server on 127.0.0.1:${port}, data in ${dir}`);
  return { url: `redis://127.0.0.1:${port}`, child };
}

async function startEmbeddedPostgres(dataDir: string, log: Log) {
  // PGlite ships CommonJS builds beside its ESM ones; required lazily so production never loads the WASM.
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const { PGLiteSocketServer } = require('@electric-sql/pglite-socket') as typeof import('@electric-sql/pglite-socket');
  const dir = join(dataDir, 'pg');
  mkdirSync(dir, { recursive: true });
  // The search migration needs these two; PGlite ships them as separately loaded contrib modules.
  const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: import('@electric-sql/pglite').Extension };
  const { btree_gin } = require('@electric-sql/pglite/contrib/btree_gin') as { btree_gin: import('@electric-sql/pglite').Extension };
  const db = await PGlite.create(dir, { extensions: { pg_trgm, btree_gin } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 1 });
  await server.start();
  log(`embedded PostgreSQL (PGlite) on 127.0.0.1:${port}, data in ${dir}`);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** s3rver's built-in account id; the secret is ours, random per start, and checked by the gateway. */
const S3RVER_KEY = 'S3RVER';
/** Room for the form fields around the largest upload. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

/**
 * A local S3-compatible server (s3rver) with its objects under the data folder, so uploads work with no set-up.
 * It speaks the S3 REST API including presigned POST/PUT/GET and bucket CORS, which the app configures at start-up.
 * s3rver has no listener of its own: it is reached only through the verifying gateway (core/storage-gateway.ts).
 */
export async function startEmbeddedStorage(
  directory: string,
  log: Log,
  options: { port?: number; maxUploadBytes?: number; region?: string } = {},
): Promise<{ storage: EmbeddedStorage; stop(): Promise<void> }> {
  // Required lazily so deployments with S3_ENDPOINT never load it.
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
    configureBuckets(): Promise<unknown>;
    callback(): RequestListener;
    logger?: { exceptions?: { unhandle(): void }; close(): void };
  };
  mkdirSync(directory, { recursive: true });
  const s3rver = new S3rver({ directory, silent: true, resetOnClose: false });
  await s3rver.configureBuckets();
  const secretKey = randomBytes(30).toString('base64url');
  const gateway = storageGateway(
    { accessKey: S3RVER_KEY, secretKey, region: options.region ?? 'us-east-1', maxBodyBytes: (options.maxUploadBytes ?? 25 * 1024 * 1024) + FORM_OVERHEAD_BYTES },
    s3rver.callback(),
  );
  const server = createHttpServer(gateway);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  log(`embedded S3 (s3rver behind a signature-checking gateway) on ${endpoint}, data in ${directory}`);
  return {
    storage: { endpoint, accessKey: S3RVER_KEY, secretKey },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      s3rver.logger?.exceptions?.unhandle();
      s3rver.logger?.close();
    },
  };
}

/**
 * Resolves DATABASE_URL and REDIS_URL, starting embedded stand-ins when they are unset so that
 * `pnpm start` works on a machine that has only Node.js.
 */
export async function resolveServices(env: Env, log: Log, localRedisPort = 6379): Promise<ResolvedServices> {
  const stops: Array<() => Promise<void>> = [];
  const dataDir = env.DATA_DIR;
  try {
    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      if (await redisAnswers('127.0.0.1', localRedisPort)) {
        redisUrl = `redis://127.0.0.1:${localRedisPort}`;
      } else {
        const redis = await startEmbeddedRedis(dataDir, log);
        redisUrl = redis.url;
        stops.push(async () => {
          redis.child.kill('SIGTERM');
        });
      }
    }
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(dataDir, log);
      databaseUrl = pg.url;
      stops.push(pg.stop);
    }
    let storage: EmbeddedStorage | undefined;
    if (!env.S3_ENDPOINT) {
      const s3 = await startEmbeddedStorage(join(dataDir, 's3'), log, { maxUploadBytes: env.UPLOAD_MAX_BYTES, region: env.S3_REGION });
      storage = s3.storage;
      stops.push(s3.stop);
    }
    return {
      databaseUrl,
      redisUrl,
      embeddedDatabase: !env.DATABASE_URL,
      storage,
      async stop() {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

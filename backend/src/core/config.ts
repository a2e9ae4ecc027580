import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const splitList = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const base64Key = z.string().refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_MAX: int(20, 1),
  DATABASE_CONNECT_TIMEOUT_MS: int(5000, 100),
  DATABASE_POOL_IDLE_TIMEOUT_MS: int(600_000, 0),
  REDIS_URL: z.string().url().optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]+$/).default('msg'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ACCESS_TTL_SECONDS: int(900, 30).refine((v) => v <= 900, 'must be at most 900 (15 minutes)'),
  REFRESH_TTL_SECONDS: int(30 * 24 * 3600, 60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool(false),
  STATIC_DIR: z.string().optional(),
  WIDGET_SCRIPT: z.string().optional(),
  BODY_LIMIT_BYTES: int(1024 * 1024, 1024),
  RATE_LOGIN_FAILURES: int(10, 1),
  RATE_LOGIN_WINDOW_SECONDS: int(60, 1),
  RATE_REGISTER: int(20, 1),
  RATE_REGISTER_WINDOW_SECONDS: int(600, 1),
  RATE_MESSAGES: int(600, 1),
  RATE_MESSAGES_WINDOW_SECONDS: int(60, 1),
  SHUTDOWN_GRACE_MS: int(10_000, 0),
  PRESENCE_HEARTBEAT_MS: int(10_000, 100),
  S3_ENDPOINT: z.string().url().optional(),
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name (3-63 lowercase letters, digits, "." or "-")')
    .default('messenger'),
  S3_ACCESS_KEY: z.string().optional(),
  S3_SECRET_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool(true),
  S3_CORS_ORIGINS: z.string().optional(),
  UPLOAD_MAX_BYTES: int(25 * 1024 * 1024, 1),
  UPLOAD_QUOTA_BYTES: int(2 * 1024 ** 3, 1),
  UPLOAD_URL_TTL_SECONDS: int(900, 60),
  DOWNLOAD_URL_TTL_SECONDS: int(300, 1).refine((v) => v <= 300, 'must be at most 300 (5 minutes)'),
  PENDING_UPLOAD_TTL_SECONDS: int(24 * 3600, 60),
  MEDIA_TOKEN_TTL_SECONDS: int(12 * 3600, 60),
  PUBLIC_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).default('Messenger <no-reply@messenger.localhost>'),
  DIGEST_OFFLINE_SECONDS: int(15 * 60, 1),
  DIGEST_INTERVAL_SECONDS: int(3600, 1),
  JOB_ATTEMPTS: int(5, 1),
  JOB_BACKOFF_MS: int(2000, 1),
  JOB_CONCURRENCY: int(4, 1),
  JOB_LOCK_MS: int(30_000, 1000),
  JOB_STALLED_INTERVAL_MS: int(30_000, 500),
  CLEANUP_EVERY_SECONDS: int(3600, 1),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: int(0, 0).refine((v) => v <= 65535, 'must be a port number'),
  METRICS_HOST: z.string().default('127.0.0.1'),
  JSON_MAX_DEPTH: int(32, 2),
  JSON_MAX_NODES: int(10_000, 10),
  RATE_SOCKET_EVENTS: int(300, 1),
  RATE_SOCKET_EVENTS_WINDOW_SECONDS: int(10, 1),
  RATE_CHATS: int(30, 1),
  RATE_CHATS_WINDOW_SECONDS: int(600, 1),
  RATE_WIDGET_SESSIONS: int(30, 1),
  RATE_WIDGET_SESSIONS_WINDOW_SECONDS: int(60, 1),
  WIDGET_TOKEN_TTL_DAYS: int(180, 1),
  JOB_SWEEP_INTERVAL_SECONDS: int(60, 1),
  TELEGRAM_API_URL: z.string().url().default('https://api.telegram.org'),
  AVITO_API_URL: z.string().url().default('https://api.avito.ru'),
  BRIDGE_ENCRYPTION_KEY: base64Key.optional(),
  BRIDGE_ENCRYPTION_KEYS_OLD: z
    .string()
    .default('')
    .refine((v) => splitList(v).every((k) => base64Key.safeParse(k).success), 'must be a comma-separated list of 32-byte base64 keys'),
  BRIDGE_RECONCILE_SECONDS: int(300, 1),
  AVITO_SENDS_PER_MINUTE: int(60, 1),
  BRIDGE_PROVIDER_TIMEOUT_SECONDS: int(30, 1),
  BRIDGE_DELIVERY_SWEEP_SECONDS: int(30, 1),
  BRIDGE_STARTUP_CHECK: bool(true),
  NOTIFICATIONS_PER_MINUTE: int(600, 1),
  TELEGRAM_INITDATA_MAX_AGE_SECONDS: int(600, 1),
  TELEGRAM_INITDATA_TEST_KEYS: bool(false),
  AI_BASE_URL: z.string().url().optional(),
  AI_API_KEY: z.string().min(1).optional(),
  AI_REPLY_TIMEOUT_MS: int(3000, 100),
  AI_HISTORY_TOKENS: int(3000, 100),
  AI_CONCURRENCY: int(256, 1),
  TELEGRAM_INITDATA_PUBLIC_KEY: z.string().regex(/^([0-9a-fA-F]{64})?$/, 'must be a 32-byte Ed25519 public key in hex').optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface AppConfig {
  env: Env['NODE_ENV'];
  role: Env['ROLE'];
  host: string;
  port: number;
  dataDir: string;
  database: { url: string; poolMax: number; embedded: boolean; connectTimeoutMs: number; idleTimeoutMs: number };
  redis: { url: string; prefix: string };
  auth: { jwtSecret: string; accessTtlSeconds: number; refreshTtlSeconds: number };
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  staticDir?: string;
  /** The built website widget served at /widget.js (default: frontend/widget/dist/widget.js). */
  widgetScript?: string;
  bodyLimitBytes: number;
  rateLimits: {
    loginFailures: { limit: number; windowSeconds: number };
    register: { limit: number; windowSeconds: number };
    messages: { limit: number; windowSeconds: number };
    socketEvents: { limit: number; windowSeconds: number };
    chats: { limit: number; windowSeconds: number };
    /** Visitor sessions opened (or resumed) per client IP by the website widget. */
    widgetSessions: { limit: number; windowSeconds: number };
  };
  /** How long a website visitor's token (kept in the visitor's localStorage) stays valid. */
  widgetTokenTtlDays: number;
  shutdownGraceMs: number;
  /** Each instance re-announces itself this often; one silent for three beats is presumed dead and its sockets offline. */
  presenceHeartbeatMs: number;
  storage: {
    /** Where the server talks to S3; empty only when nothing was configured or started. */
    endpoint: string;
    /** Where browsers reach it (presigned URLs are signed for this host). */
    publicEndpoint: string;
    region: string;
    bucket: string;
    accessKey?: string;
    secretKey?: string;
    forcePathStyle: boolean;
    corsOrigins: string[];
    embedded: boolean;
  };
  uploads: {
    maxBytes: number;
    quotaBytes: number;
    uploadUrlTtlSeconds: number;
    downloadUrlTtlSeconds: number;
    pendingTtlSeconds: number;
    mediaTokenTtlSeconds: number;
  };
  mail: { smtpUrl?: string; from: string; publicUrl: string };
  digest: { offlineSeconds: number; intervalSeconds: number };
  /** `/metrics` needs this bearer token on the main port; with `port` set it is served there (on `host`) instead. */
  metrics: { token?: string; port: number; host: string };
  /** Bounds on the shape of every JSON body and socket payload, checked before it is parsed. */
  json: { maxDepth: number; maxNodes: number };
  jobs: { attempts: number; backoffMs: number; concurrency: number; lockMs: number; stalledIntervalMs: number; cleanupEverySeconds: number; sweepIntervalSeconds: number };
  bridge: {
    /** Where Telegram and Avito call us back; channels cannot be created without it. */
    publicUrl?: string;
    telegramApiUrl: string;
    avitoApiUrl: string;
    /** The key new secrets are sealed with, and older keys still accepted for opening them (rotation). */
    encryptionKey: Buffer;
    oldEncryptionKeys: Buffer[];
    reconcileSeconds: number;
    avitoSendsPerMinute: number;
    /** How long one call to Telegram or Avito may take before it is abandoned (a send then ends `unknown`). */
    providerTimeoutSeconds: number;
    /** Check (and restore) every channel's webhook registration when the app starts. */
    startupCheck: boolean;
    /** Notifications one API key may send per minute (NOTIFICATIONS_PER_MINUTE). */
    notificationsPerMinute: number;
    /** Oldest Mini App initData accepted, in seconds (TELEGRAM_INITDATA_MAX_AGE_SECONDS). */
    initDataMaxAgeSeconds: number;
    /** Check Ed25519 initData signatures against Telegram's test-environment key (TELEGRAM_INITDATA_TEST_KEYS). */
    initDataTestKeys: boolean;
    /** An Ed25519 public key (hex) to check third-party initData signatures against instead of Telegram's (TELEGRAM_INITDATA_PUBLIC_KEY). */
    initDataPublicKey?: string;
    /** How often the outbound sweeper runs, and how long a delivery sits untouched before it looks at it. */
    deliverySweepSeconds: number;
  };
  /**
   * The AI agent's model provider: any OpenAI-compatible chat-completions endpoint. The key lives only here (from
   * the environment), never in the database and never in a log line.
   */
  ai: {
    baseUrl?: string;
    apiKey?: string;
    /** From the customer's message to the answer; past it the channel's fallback text goes out and the thread is handed off. */
    replyTimeoutMs: number;
    /** How much of the thread's history (estimated tokens) goes to the model with each request. */
    historyTokens: number;
    /** AI replies run at once per worker: they mostly wait on the model. */
    concurrency: number;
  };
}

/** An S3-compatible server started by the process itself (see core/embedded.ts). */
export interface EmbeddedStorage {
  endpoint: string;
  accessKey: string;
  secretKey: string;
}

export class ConfigError extends Error {}

/** Parses the environment once; every bad variable is named in one error. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment: ${problems.join('; ')}`);
  }
  if (result.data.NODE_ENV === 'production' && !result.data.JWT_SECRET) {
    throw new ConfigError('Invalid environment: JWT_SECRET: required when NODE_ENV=production');
  }
  if (result.data.NODE_ENV === 'production' && !result.data.BRIDGE_ENCRYPTION_KEY) {
    throw new ConfigError('Invalid environment: BRIDGE_ENCRYPTION_KEY: required when NODE_ENV=production');
  }
  return result.data;
}

/**
 * Outside production an unset JWT_SECRET is generated once and kept under the data folder,
 * so tokens survive restarts and two local instances sharing the folder accept each other's tokens.
 */
export function resolveJwtSecret(env: Env): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  const dir = resolve(env.DATA_DIR);
  const file = join(dir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}

/** Like JWT_SECRET: outside production an unset key is generated once into the data folder and kept. */
export function resolveBridgeKey(env: Env): Buffer {
  if (env.BRIDGE_ENCRYPTION_KEY) return Buffer.from(env.BRIDGE_ENCRYPTION_KEY, 'base64');
  const dir = resolve(env.DATA_DIR);
  const file = join(dir, 'bridge-encryption-key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  try {
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  } catch {
    // Another process of the same installation wrote it first; theirs is the key.
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
  return Buffer.from(key, 'base64');
}

export function buildConfig(
  env: Env,
  urls: { databaseUrl: string; redisUrl: string; embeddedDatabase: boolean; storage?: EmbeddedStorage },
): AppConfig {
  const s3Endpoint = env.S3_ENDPOINT ?? urls.storage?.endpoint ?? '';
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    env: env.NODE_ENV,
    role: env.ROLE,
    host: env.HOST,
    port: env.PORT,
    dataDir: resolve(env.DATA_DIR),
    database: {
      url: urls.databaseUrl,
      // The embedded socket server serves exactly one connection.
      poolMax: urls.embeddedDatabase ? 1 : env.DATABASE_POOL_MAX,
      embedded: urls.embeddedDatabase,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: env.DATABASE_POOL_IDLE_TIMEOUT_MS,
    },
    redis: { url: urls.redisUrl, prefix: env.REDIS_PREFIX },
    auth: {
      jwtSecret: resolveJwtSecret(env),
      accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TTL_SECONDS,
    },
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    staticDir: env.STATIC_DIR,
    widgetScript: env.WIDGET_SCRIPT,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    rateLimits: {
      loginFailures: { limit: env.RATE_LOGIN_FAILURES, windowSeconds: env.RATE_LOGIN_WINDOW_SECONDS },
      register: { limit: env.RATE_REGISTER, windowSeconds: env.RATE_REGISTER_WINDOW_SECONDS },
      messages: { limit: env.RATE_MESSAGES, windowSeconds: env.RATE_MESSAGES_WINDOW_SECONDS },
      socketEvents: { limit: env.RATE_SOCKET_EVENTS, windowSeconds: env.RATE_SOCKET_EVENTS_WINDOW_SECONDS },
      chats: { limit: env.RATE_CHATS, windowSeconds: env.RATE_CHATS_WINDOW_SECONDS },
      widgetSessions: { limit: env.RATE_WIDGET_SESSIONS, windowSeconds: env.RATE_WIDGET_SESSIONS_WINDOW_SECONDS },
    },
    widgetTokenTtlDays: env.WIDGET_TOKEN_TTL_DAYS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    presenceHeartbeatMs: env.PRESENCE_HEARTBEAT_MS,
    storage: {
      endpoint: s3Endpoint,
      publicEndpoint: env.S3_PUBLIC_ENDPOINT ?? s3Endpoint,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKey: env.S3_ACCESS_KEY ?? (env.S3_ENDPOINT ? undefined : urls.storage?.accessKey),
      secretKey: env.S3_SECRET_KEY ?? (env.S3_ENDPOINT ? undefined : urls.storage?.secretKey),
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      // Browsers upload from the app's own page only, unless more origins are listed.
      corsOrigins: env.S3_CORS_ORIGINS ? env.S3_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : [new URL(publicUrl).origin],
      embedded: !env.S3_ENDPOINT && !!urls.storage,
    },
    uploads: {
      maxBytes: env.UPLOAD_MAX_BYTES,
      quotaBytes: env.UPLOAD_QUOTA_BYTES,
      uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
      downloadUrlTtlSeconds: env.DOWNLOAD_URL_TTL_SECONDS,
      pendingTtlSeconds: env.PENDING_UPLOAD_TTL_SECONDS,
      mediaTokenTtlSeconds: env.MEDIA_TOKEN_TTL_SECONDS,
    },
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      publicUrl,
    },
    digest: { offlineSeconds: env.DIGEST_OFFLINE_SECONDS, intervalSeconds: env.DIGEST_INTERVAL_SECONDS },
    jobs: {
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      concurrency: env.JOB_CONCURRENCY,
      lockMs: env.JOB_LOCK_MS,
      stalledIntervalMs: env.JOB_STALLED_INTERVAL_MS,
      cleanupEverySeconds: env.CLEANUP_EVERY_SECONDS,
      sweepIntervalSeconds: env.JOB_SWEEP_INTERVAL_SECONDS,
    },
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT, host: env.METRICS_HOST },
    json: { maxDepth: env.JSON_MAX_DEPTH, maxNodes: env.JSON_MAX_NODES },
    bridge: {
      publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
      telegramApiUrl: env.TELEGRAM_API_URL.replace(/\/+$/, ''),
      avitoApiUrl: env.AVITO_API_URL.replace(/\/+$/, ''),
      encryptionKey: resolveBridgeKey(env),
      oldEncryptionKeys: splitList(env.BRIDGE_ENCRYPTION_KEYS_OLD).map((k) => Buffer.from(k, 'base64')),
      reconcileSeconds: env.BRIDGE_RECONCILE_SECONDS,
      avitoSendsPerMinute: env.AVITO_SENDS_PER_MINUTE,
      providerTimeoutSeconds: env.BRIDGE_PROVIDER_TIMEOUT_SECONDS,
      deliverySweepSeconds: env.BRIDGE_DELIVERY_SWEEP_SECONDS,
      startupCheck: env.BRIDGE_STARTUP_CHECK,
      notificationsPerMinute: env.NOTIFICATIONS_PER_MINUTE,
      initDataMaxAgeSeconds: env.TELEGRAM_INITDATA_MAX_AGE_SECONDS,
      initDataTestKeys: env.TELEGRAM_INITDATA_TEST_KEYS,
      initDataPublicKey: env.TELEGRAM_INITDATA_PUBLIC_KEY || undefined,
    },
    ai: {
      baseUrl: env.AI_BASE_URL?.replace(/\/+$/, ''),
      apiKey: env.AI_API_KEY,
      replyTimeoutMs: env.AI_REPLY_TIMEOUT_MS,
      historyTokens: env.AI_HISTORY_TOKENS,
      concurrency: env.AI_CONCURRENCY,
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

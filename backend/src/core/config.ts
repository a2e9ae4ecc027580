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

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_MAX: int(20, 1),
  REDIS_URL: z.string().url().optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]+$/).default('msg'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ACCESS_TTL_SECONDS: int(900, 30).refine((v) => v <= 900, 'must be at most 900 (15 minutes)'),
  REFRESH_TTL_SECONDS: int(30 * 24 * 3600, 60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool(false),
  STATIC_DIR: z.string().optional(),
  BODY_LIMIT_BYTES: int(1024 * 1024, 1024),
  RATE_LOGIN_FAILURES: int(10, 1),
  RATE_LOGIN_WINDOW_SECONDS: int(60, 1),
  RATE_REGISTER: int(20, 1),
  RATE_REGISTER_WINDOW_SECONDS: int(600, 1),
  RATE_MESSAGES: int(600, 1),
  RATE_MESSAGES_WINDOW_SECONDS: int(60, 1),
  SHUTDOWN_GRACE_MS: int(10_000, 0),
});

export type Env = z.infer<typeof EnvSchema>;

export interface AppConfig {
  env: Env['NODE_ENV'];
  role: Env['ROLE'];
  host: string;
  port: number;
  dataDir: string;
  database: { url: string; poolMax: number; embedded: boolean };
  redis: { url: string; prefix: string };
  auth: { jwtSecret: string; accessTtlSeconds: number; refreshTtlSeconds: number };
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  staticDir?: string;
  bodyLimitBytes: number;
  rateLimits: {
    loginFailures: { limit: number; windowSeconds: number };
    register: { limit: number; windowSeconds: number };
    messages: { limit: number; windowSeconds: number };
  };
  shutdownGraceMs: number;
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

export function buildConfig(env: Env, urls: { databaseUrl: string; redisUrl: string; embeddedDatabase: boolean }): AppConfig {
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
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    rateLimits: {
      loginFailures: { limit: env.RATE_LOGIN_FAILURES, windowSeconds: env.RATE_LOGIN_WINDOW_SECONDS },
      register: { limit: env.RATE_REGISTER, windowSeconds: env.RATE_REGISTER_WINDOW_SECONDS },
      messages: { limit: env.RATE_MESSAGES, windowSeconds: env.RATE_MESSAGES_WINDOW_SECONDS },
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createApp } from '../../src/app';
import { buildConfig, parseEnv, type AppConfig } from '../../src/core/config';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** Test JWT secret; real deployments set their own. */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/**
 * Starts the real application on a random port against the run's database and Redis.
 * Each app gets its own Redis prefix so rate-limit counters of one file never leak into another;
 * pass the same REDIS_PREFIX to make two apps behave as one deployment. DATABASE_URL / REDIS_URL override the run's services.
 */
export async function startApp(env: Record<string, string> = {}, options: { port?: number } = {}): Promise<TestApp> {
  const parsed = parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    REDIS_PREFIX: `t${randomBytes(4).toString('hex')}`,
    // Whole suites register from 127.0.0.1; the limit itself is covered by its own test with the default.
    RATE_REGISTER: '100000',
    RATE_LOGIN_FAILURES: '100000',
    SHUTDOWN_GRACE_MS: '500',
    // The run's database holds other files' channels; an app must not re-register their webhooks at its start.
    BRIDGE_STARTUP_CHECK: 'false',
    ...env,
  });
  const config = buildConfig(parsed, {
    databaseUrl: env.DATABASE_URL ?? inject('databaseUrl'),
    redisUrl: env.REDIS_URL ?? inject('redisUrl'),
    embeddedDatabase: false,
    storage: inject('s3'),
  });
  const app = await createApp(config);
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const url = await app.getUrl();
  return { app, url: url.replace('[::1]', '127.0.0.1'), config, close: () => app.close() };
}

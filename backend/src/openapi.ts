import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOpenApi, createApp } from '@/app';
import { buildConfig, parseEnv } from '@/core/config';

/**
 * Writes openapi/openapi.json from the code without starting the server (Nest preview mode builds the
 * module graph but instantiates nothing, so no database or Redis is touched). `--check` only compares.
 */
async function main() {
  const target = resolve(__dirname, '..', '..', 'openapi', 'openapi.json');
  const env = parseEnv({ NODE_ENV: 'test', JWT_SECRET: 'spec-generation-only-secret-0123456789' });
  const config = buildConfig(env, { databaseUrl: 'postgres://unused/unused', redisUrl: 'redis://unused', embeddedDatabase: false });
  const app = await createApp(config, { preview: true });
  const json = `${JSON.stringify(buildOpenApi(app), null, 2)}\n`;
  await app.close();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(target, 'utf8');
    } catch {
      // Missing counts as stale.
    }
    if (committed !== json) {
      process.stderr.write('openapi/openapi.json is out of date with the code: run `pnpm openapi` and commit the result\n');
      process.exit(1);
    }
    process.stdout.write('openapi/openapi.json matches the code\n');
    return;
  }
  writeFileSync(target, json);
  process.stdout.write(`wrote ${target}\n`);
}

void main();

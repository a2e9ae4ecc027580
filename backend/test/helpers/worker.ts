import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { TEST_JWT_SECRET } from './app';

/** The built app, which worker processes run (tests that spawn them need `pnpm build` first). */
export const BUILT_MAIN = resolve(__dirname, '..', '..', 'dist', 'main.js');

export interface SpawnedWorker {
  child: ChildProcess;
  /** The last 20,000 characters the process wrote, for a failure's message. */
  output(): string;
}

/**
 * Worker processes (ROLE=worker) of the built app on the run's database, Redis and storage, so a test can kill one
 * with a real signal. `env` is laid over the defaults; `killAll` ends whatever is still running.
 */
export function workerProcesses() {
  const children: ChildProcess[] = [];
  return {
    start(name: string, env: Record<string, string>): SpawnedWorker {
      const s3 = inject('s3');
      const child = spawn(process.execPath, [BUILT_MAIN], {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          ROLE: 'worker',
          LOG_LEVEL: 'warn',
          JWT_SECRET: TEST_JWT_SECRET,
          DATABASE_URL: inject('databaseUrl'),
          REDIS_URL: inject('redisUrl'),
          S3_ENDPOINT: s3.endpoint,
          S3_ACCESS_KEY: s3.accessKey,
          S3_SECRET_KEY: s3.secretKey,
          DATA_DIR: mkdtempSync(join(tmpdir(), `msg-${name}-`)),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      return { child, output: () => output };
    },
    killAll(): void {
      for (const child of children) child.kill('SIGKILL');
    },
  };
}

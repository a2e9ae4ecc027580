import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app';

// nestjs-pino's request storage: enabling it would turn promise hooks on for the whole process.
const { storage } = createRequire(import.meta.url)('nestjs-pino/storage') as { storage: AsyncLocalStorage<unknown> & { enabled?: boolean } };

describe('request logging without process-wide promise hooks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('serves requests, with their request id, without enabling the AsyncLocalStorage of the request logger', async () => {
    const res = await fetch(`${t.url}/health`, { headers: { 'X-Request-Id': 'ctx-check-1' } });
    expect(res.headers.get('x-request-id')).toBe('ctx-check-1');
    await fetch(`${t.url}/api/v1/chats`);
    // Node 20 keeps the flag on the instance; a hook-free implementation has nothing to enable.
    expect(storage.enabled).not.toBe(true);
  });
});

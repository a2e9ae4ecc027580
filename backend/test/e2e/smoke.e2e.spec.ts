import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('registers and reads /users/me', async () => {
    const alice = await registerUser(t.url);
    const me = await sdk.getMe({ client: alice.client, throwOnError: true });
    expect(me.data.username).toBe(alice.username);
  });
});

import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { anonymous, registerUser, sdk } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';

/** Each test starts its own app (and so its own Redis prefix) with the shipped default limits spelled out. */
describe('rate limits over HTTP', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  const start = async (env: Record<string, string> = {}) => {
    const app = await startApp({ RATE_REGISTER: '20', RATE_LOGIN_FAILURES: '10', ...env });
    apps.push(app);
    return app;
  };

  const expectRetryAfter = (response: Response, windowSeconds: number) => {
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  };

  it('answers the 11th failed login for an account with 429 and Retry-After, even with the right password', async () => {
    const t = await start();
    const user = await registerUser(t.url);
    for (let i = 1; i <= 10; i++) {
      await expectError(sdk.login({ client: anonymous(t.url), body: { login: user.username, password: `wrong-${i}` } }), 401);
    }
    const res = await sdk.login({ client: anonymous(t.url), body: { login: user.username, password: 'wrong-11' } });
    expect(res.response.status).toBe(429);
    expectRetryAfter(res.response, 60);
    expect((res.error as { code: string }).code).toBe('RATE_LIMITED');

    const right = await sdk.login({ client: anonymous(t.url), body: { login: user.email, password: user.password } });
    expect(right.response.status).toBe(429);
  });

  it('does not count successful logins', async () => {
    const t = await start();
    const user = await registerUser(t.url);
    for (let i = 0; i < 15; i++) {
      const res = await sdk.login({ client: anonymous(t.url), body: { login: user.username, password: user.password } });
      expect(res.response.status).toBe(200);
    }
  });

  it('answers the 21st registration from one IP with 429 and Retry-After', async () => {
    const t = await start();
    const viewer = await registerUser(t.url);
    for (let i = 2; i <= 20; i++) {
      const username = `r${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const res = await sdk.register({ client: anonymous(t.url), body: { email: `${username}@example.test`, username, password: 'long-enough-1' } });
      expect(res.response.status).toBe(201);
    }
    const res = await sdk.register({ client: anonymous(t.url), body: { email: 'one-more@example.test', username: 'onemore21', password: 'long-enough-1' } });
    expect(res.response.status).toBe(429);
    expectRetryAfter(res.response, 600);
    const created = await sdk.searchUsers({ client: viewer.client, query: { search: 'onemore21' }, throwOnError: true });
    expect(created.data.total).toBe(0);
  });

  it('limits message sends per user with RATE_MESSAGES, and not other users', async () => {
    const t = await start({ RATE_MESSAGES: '5' });
    const [alice, bob] = [await registerUser(t.url), await registerUser(t.url)];
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'rl', memberIds: [bob.id] }, throwOnError: true })).data.id;
    for (let i = 0; i < 5; i++) {
      const res = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: `a${i}`, body: 'hi' } });
      expect(res.response.status).toBe(201);
    }
    const over = await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'a5', body: 'hi' } });
    expect(over.response.status).toBe(429);
    expectRetryAfter(over.response, 60);

    const fromBob = await sdk.sendMessage({ client: bob.client, path: { chatId }, body: { clientId: 'b0', body: 'still here' } });
    expect(fromBob.response.status).toBe(201);
    const items = (await sdk.listMessages({ client: bob.client, path: { chatId }, throwOnError: true })).data.items;
    expect(items.map((m) => m.clientId)).not.toContain('a5');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, registerUser, sdk } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

/** a stranger cannot lock an account out by failing logins for it. */
describe('no lockout by strangers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ RATE_LOGIN_FAILURES: '10', TRUST_PROXY: 'true' });
  });
  afterAll(() => t.close());

  const loginFrom = (ip: string, login: string, password: string) =>
    sdk.login({ client: anonymous(t.url), body: { login, password }, headers: { 'X-Forwarded-For': ip } });

  it('lets the owner in from their own IP after a stranger failed 30 times from elsewhere', async () => {
    const victim = await registerUser(t.url);
    for (let i = 0; i < 30; i++) {
      const res = await loginFrom(`198.51.100.${i % 3}`, victim.username, `guess-${i}`);
      expect([401, 429]).toContain(res.response.status);
    }
    // The stranger is held back...
    expect((await loginFrom('198.51.100.0', victim.username, victim.password)).response.status).toBe(429);
    // ...the owner is not.
    const owner = await loginFrom('203.0.113.9', victim.email, victim.password);
    expect(owner.response.status).toBe(200);
  });

  it('does not count attempts refused by the per-IP limit against the account', async () => {
    const victim = await registerUser(t.url);
    // One IP burns its budget on other names, then keeps hammering the victim: all refused by the IP limit.
    for (let i = 0; i < 10; i++) await loginFrom('192.0.2.50', `nobody-${i}`, 'x-guess');
    for (let i = 0; i < 20; i++) expect((await loginFrom('192.0.2.50', victim.username, 'x-guess')).response.status).toBe(429);
    // Another IP still has the account's full budget: nine failures pass as 401, then the right password works.
    for (let i = 0; i < 9; i++) expect((await loginFrom('192.0.2.51', victim.username, `g${i}`)).response.status).toBe(401);
    expect((await loginFrom('192.0.2.51', victim.username, victim.password)).response.status).toBe(200);
  });
});

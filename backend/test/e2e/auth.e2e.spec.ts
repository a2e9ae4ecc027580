import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, authed, registerUser, sdk, uniq } from '../helpers/api';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';

const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so the tests control every header and claim the server must judge. */
function jwt(header: object, claims: object, secret?: string, algorithm = 'sha256'): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  const signature = secret ? createHmac(algorithm, secret).update(unsigned).digest('base64url') : '';
  return `${unsigned}.${signature}`;
}

describe('auth and users over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const newAccount = () => {
    const username = uniq('reg');
    return { email: `${username}@example.test`, username, password: 'correct horse battery', displayName: 'Reg Ister' };
  };

  describe('POST /auth/register', () => {
    it('creates the account: 201 with the user and a token pair, never the password hash', async () => {
      const account = newAccount();
      const res = await sdk.register({ client: anonymous(t.url), body: account });
      expect(res.response.status).toBe(201);
      expect(res.data!.user).toMatchObject({
        id: expect.any(String),
        email: account.email,
        username: account.username,
        displayName: 'Reg Ister',
        role: 'user',
      });
      expect(res.data!.accessToken.split('.')).toHaveLength(3);
      expect(res.data!.refreshToken.length).toBeGreaterThan(20);
      expect(JSON.stringify(res.data)).not.toMatch(/argon2|passwordHash|correct horse/);
      const me = await sdk.getMe({ client: authed(t.url, res.data!.accessToken), throwOnError: true });
      expect(me.data.id).toBe(res.data!.user.id);
    });

    it('uses the username as display name when none is given', async () => {
      const { displayName: _, ...account } = newAccount();
      const res = await sdk.register({ client: anonymous(t.url), body: account, throwOnError: true });
      expect(res.data.user.displayName).toBe(account.username);
    });

    it('answers a taken e-mail with 409, whatever its case', async () => {
      const first = newAccount();
      await sdk.register({ client: anonymous(t.url), body: first, throwOnError: true });
      const again = { ...newAccount(), email: first.email.toUpperCase() };
      const body = await expectError(sdk.register({ client: anonymous(t.url), body: again }), 409);
      expect(body.message).toMatch(/email/i);
    });

    it('answers a taken username with 409, whatever its case', async () => {
      const first = newAccount();
      await sdk.register({ client: anonymous(t.url), body: first, throwOnError: true });
      const again = { ...newAccount(), username: first.username.toUpperCase() };
      const body = await expectError(sdk.register({ client: anonymous(t.url), body: again }), 409);
      expect(body.message).toMatch(/username/i);
    });

    it('names the field on bad input', async () => {
      await expectError(sdk.register({ client: anonymous(t.url), body: { ...newAccount(), email: 'not-an-email' } }), 400, 'email');
      await expectError(sdk.register({ client: anonymous(t.url), body: { ...newAccount(), username: 'has space' } }), 400, 'username');
      await expectError(sdk.register({ client: anonymous(t.url), body: { ...newAccount(), username: 'ab' } }), 400, 'username');
      const { password: _, ...noPassword } = newAccount();
      await expectError(sdk.register({ client: anonymous(t.url), body: noPassword as never }), 400, 'password');
    });

    it('needs a password of at least 8 characters', async () => {
      await expectError(sdk.register({ client: anonymous(t.url), body: { ...newAccount(), password: '1234567' } }), 400, 'password');
      const ok = await sdk.register({ client: anonymous(t.url), body: { ...newAccount(), password: '12345678' } });
      expect(ok.response.status).toBe(201);
    });
  });

  describe('POST /auth/login', () => {
    it('signs in by e-mail and by username, case-insensitively', async () => {
      const user = await registerUser(t.url);
      for (const login of [user.email, user.username, user.username.toUpperCase(), ` ${user.email.toUpperCase()} `]) {
        const res = await sdk.login({ client: anonymous(t.url), body: { login, password: user.password } });
        expect(res.response.status).toBe(200);
        expect(res.data!.user.id).toBe(user.id);
        expect(res.data!.refreshToken).not.toBe(user.refreshToken);
      }
    });

    it('answers a wrong password and an unknown user with the same 401', async () => {
      const user = await registerUser(t.url);
      const wrong = await expectError(sdk.login({ client: anonymous(t.url), body: { login: user.username, password: 'wrong password' } }), 401);
      const unknown = await expectError(sdk.login({ client: anonymous(t.url), body: { login: uniq('ghost'), password: 'wrong password' } }), 401);
      expect(unknown.message).toBe(wrong.message);
      expect(unknown.code).toBe(wrong.code);
    });
  });

  describe('POST /auth/refresh and /auth/logout', () => {
    it('rotates: a new pair that works, and the old refresh token is spent', async () => {
      const user = await registerUser(t.url);
      const res = await sdk.refresh({ client: anonymous(t.url), body: { refreshToken: user.refreshToken } });
      expect(res.response.status).toBe(200);
      expect(res.data!.refreshToken).not.toBe(user.refreshToken);
      expect(res.data!.user.id).toBe(user.id);
      const me = await sdk.getMe({ client: authed(t.url, res.data!.accessToken) });
      expect(me.response.status).toBe(200);
      await expectError(sdk.refresh({ client: anonymous(t.url), body: { refreshToken: user.refreshToken } }), 401);
    });

    it('revokes the whole family when a spent token comes back', async () => {
      const user = await registerUser(t.url);
      const rotated = await sdk.refresh({ client: anonymous(t.url), body: { refreshToken: user.refreshToken }, throwOnError: true });
      // Someone replays the stolen, already spent token...
      await expectError(sdk.refresh({ client: anonymous(t.url), body: { refreshToken: user.refreshToken } }), 401);
      // ...so the legitimate holder of the newer token is signed out too.
      await expectError(sdk.refresh({ client: anonymous(t.url), body: { refreshToken: rotated.data.refreshToken } }), 401);
      // Other sessions of the same user (other families) live on.
      const other = await sdk.login({ client: anonymous(t.url), body: { login: user.username, password: user.password }, throwOnError: true });
      const again = await sdk.refresh({ client: anonymous(t.url), body: { refreshToken: other.data.refreshToken } });
      expect(again.response.status).toBe(200);
    });

    it('answers an unknown refresh token with 401', async () => {
      await expectError(sdk.refresh({ client: anonymous(t.url), body: { refreshToken: randomBytes(32).toString('base64url') } }), 401);
    });

    it('logs out with 204, after which the refresh token is refused', async () => {
      const user = await registerUser(t.url);
      const out = await sdk.logout({ client: anonymous(t.url), body: { refreshToken: user.refreshToken } });
      expect(out.response.status).toBe(204);
      await expectError(sdk.refresh({ client: anonymous(t.url), body: { refreshToken: user.refreshToken } }), 401);
    });
  });

  describe('access tokens', () => {
    const claimsOf = (user: { id: string; username: string }, exp: number) => ({
      sub: user.id,
      username: user.username,
      role: 'user',
      iat: Math.floor(Date.now() / 1000) - 60,
      exp,
    });

    it('accepts a token signed with the server secret (control for the cases below)', async () => {
      const user = await registerUser(t.url);
      const token = jwt({ alg: 'HS256', typ: 'JWT' }, claimsOf(user, Math.floor(Date.now() / 1000) + 300), TEST_JWT_SECRET);
      expect((await sdk.getMe({ client: authed(t.url, token) })).response.status).toBe(200);
    });

    it('refuses an expired token', async () => {
      const user = await registerUser(t.url);
      const token = jwt({ alg: 'HS256', typ: 'JWT' }, claimsOf(user, Math.floor(Date.now() / 1000) - 5), TEST_JWT_SECRET);
      await expectError(sdk.getMe({ client: authed(t.url, token) }), 401);
    });

    it('refuses a token signed with another secret', async () => {
      const user = await registerUser(t.url);
      const token = jwt({ alg: 'HS256', typ: 'JWT' }, claimsOf(user, Math.floor(Date.now() / 1000) + 300), 'not-the-server-secret-0123456789abcdef');
      await expectError(sdk.getMe({ client: authed(t.url, token) }), 401);
    });

    it('refuses alg none and an algorithm other than the pinned one', async () => {
      const user = await registerUser(t.url);
      const claims = claimsOf(user, Math.floor(Date.now() / 1000) + 300);
      await expectError(sdk.getMe({ client: authed(t.url, jwt({ alg: 'none', typ: 'JWT' }, claims)) }), 401);
      await expectError(sdk.getMe({ client: authed(t.url, jwt({ alg: 'HS512', typ: 'JWT' }, claims, TEST_JWT_SECRET, 'sha512')) }), 401);
    });

    it('refuses a missing or garbled token', async () => {
      await expectError(sdk.getMe({ client: anonymous(t.url) }), 401);
      await expectError(sdk.getMe({ client: authed(t.url, 'garbage') }), 401);
    });

    it('issues tokens that live at most 15 minutes', async () => {
      const user = await registerUser(t.url);
      const claims = JSON.parse(Buffer.from(user.accessToken.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
      const header = JSON.parse(Buffer.from(user.accessToken.split('.')[0], 'base64url').toString()) as { alg: string };
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(900);
      expect(header.alg).toBe('HS256');
    });
  });

  describe('users', () => {
    it('GET /users/me returns the signed-in user', async () => {
      const user = await registerUser(t.url, { displayName: 'Me Myself' });
      const me = await sdk.getMe({ client: user.client, throwOnError: true });
      expect(me.data).toMatchObject({ id: user.id, email: user.email, username: user.username, displayName: 'Me Myself', role: 'user' });
      expect(JSON.stringify(me.data)).not.toMatch(/password|argon2/i);
    });

    it('GET /users?search= finds people by username or display-name word, page by page, without e-mails', async () => {
      const tag = randomBytes(3).toString('hex');
      const people = await Promise.all([
        registerUser(t.url, { username: `aa${tag}one`, displayName: `Ann Q${tag}` }),
        registerUser(t.url, { username: `aa${tag}two`, displayName: `Bob Q${tag}` }),
        registerUser(t.url, { username: `aa${tag}three`, displayName: `Cy Q${tag}` }),
      ]);
      const searcher = await registerUser(t.url);

      const byUsername = await sdk.searchUsers({ client: searcher.client, query: { search: `AA${tag}` }, throwOnError: true });
      expect(byUsername.data.total).toBe(3);
      expect(byUsername.data.items.map((u) => u.id).sort()).toEqual(people.map((p) => p.id).sort());
      expect(byUsername.data.items[0]).not.toHaveProperty('email');

      const byWord = await sdk.searchUsers({ client: searcher.client, query: { search: `q${tag}` }, throwOnError: true });
      expect(byWord.data.total).toBe(3);
      const byFirstWord = await sdk.searchUsers({ client: searcher.client, query: { search: 'bob q' + tag }, throwOnError: true });
      expect(byFirstWord.data.items.map((u) => u.id)).toEqual([people[1].id]);

      const page1 = await sdk.searchUsers({ client: searcher.client, query: { search: `aa${tag}`, limit: 2, offset: 0 }, throwOnError: true });
      const page2 = await sdk.searchUsers({ client: searcher.client, query: { search: `aa${tag}`, limit: 2, offset: 2 }, throwOnError: true });
      expect(page1.data.items).toHaveLength(2);
      expect(page2.data.items).toHaveLength(1);
      expect(page1.data.total).toBe(3);
      expect(new Set([...page1.data.items, ...page2.data.items].map((u) => u.id)).size).toBe(3);
    });

    it('treats % and _ in a search as plain characters', async () => {
      const user = await registerUser(t.url);
      const res = await sdk.searchUsers({ client: user.client, query: { search: '%' }, throwOnError: true });
      expect(res.data.total).toBe(0);
    });
  });
});

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { anonymous, authed, registerUser, sdk } from '../helpers/api';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';
import { claimsOf, signJwt } from '../helpers/jwt';
import { closeAllSockets, connect, Inbox, type ClientSocket } from '../helpers/socket';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function ended(socket: ClientSocket, timeoutMs: number): Promise<{ reason: string; disconnect: string }> {
  return new Promise((resolve, reject) => {
    let reason = '';
    const timer = setTimeout(() => reject(new Error('socket was not ended')), timeoutMs);
    socket.on('session:ended', (event: { reason: string }) => (reason = event.reason));
    socket.on('disconnect', (disconnect) => {
      clearTimeout(timer);
      resolve({ reason, disconnect });
    });
  });
}

/** sessions end with their token and their sign-in. */
describe('sessions end with their token and their sign-in', () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  let a: TestApp;
  let b: TestApp;
  let db: Client;
  beforeAll(async () => {
    // Two instances of one deployment: a revocation on one must end sockets on the other.
    [a, b] = await Promise.all([startApp({ REDIS_PREFIX: prefix }), startApp({ REDIS_PREFIX: prefix })]);
    db = new Client({ connectionString: inject('databaseUrl') });
    await db.connect();
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await db.end();
    await Promise.all([a.close(), b.close()]);
  });

  it('disconnects a socket when its access token expires, after which REST refuses the token too', async () => {
    const alice = await registerUser(a.url);
    const token = signJwt({ ...claimsOf(alice.accessToken), iat: nowSeconds(), exp: nowSeconds() + 3 }, TEST_JWT_SECRET);
    const socket = await connect(a.url, token);
    const result = await ended(socket, 10_000);
    expect(result).toEqual({ reason: 'expired', disconnect: 'io server disconnect' });
    await expectError(sdk.getMe({ client: authed(a.url, token) }), 401);
    // A fresh token reconnects at once.
    expect((await connect(a.url, alice.accessToken)).connected).toBe(true);
  });

  it('logout ends the sign-in’s sockets on every instance at once, and leaves other sign-ins alone', async () => {
    const alice = await registerUser(a.url);
    const other = await sdk.login({ client: anonymous(a.url), body: { login: alice.username, password: alice.password }, throwOnError: true });
    const [onA, onB, otherSignIn] = await Promise.all([
      connect(a.url, alice.accessToken),
      connect(b.url, alice.accessToken),
      connect(b.url, other.data.accessToken),
    ]);
    const endings = Promise.all([ended(onA, 5000), ended(onB, 5000)]);
    await sdk.logout({ client: anonymous(a.url), body: { refreshToken: alice.refreshToken }, throwOnError: true });
    expect(await endings).toEqual([
      { reason: 'revoked', disconnect: 'io server disconnect' },
      { reason: 'revoked', disconnect: 'io server disconnect' },
    ]);
    expect(otherSignIn.connected).toBe(true);
    await expectError(sdk.getMe({ client: authed(b.url, alice.accessToken) }), 401);
    expect((await sdk.getMe({ client: authed(b.url, other.data.accessToken) })).response.status).toBe(200);
  });

  it('a replayed refresh token revokes the family and ends its sockets', async () => {
    const alice = await registerUser(a.url);
    const socket = await connect(b.url, alice.accessToken);
    const inbox = new Inbox(socket);
    await sdk.refresh({ client: anonymous(a.url), body: { refreshToken: alice.refreshToken }, throwOnError: true });
    const ending = ended(socket, 5000);
    await expectError(sdk.refresh({ client: anonymous(a.url), body: { refreshToken: alice.refreshToken } }), 401);
    expect((await ending).reason).toBe('revoked');
    expect(inbox.of('session:ended')).toHaveLength(1);
  });

  it('answers tokens without exp, with a non-UUID sub, or for a deleted user with 401 (REST) and connect_error (socket)', async () => {
    const alice = await registerUser(a.url);
    const claims = claimsOf(alice.accessToken);
    const gone = await registerUser(a.url);
    await db.query('DELETE FROM users WHERE id = $1', [gone.id]);
    const tokens = {
      'no exp': signJwt({ sub: alice.id, username: alice.username, role: 'user', iat: nowSeconds() }, TEST_JWT_SECRET),
      'non-UUID sub': signJwt({ ...claims, sub: 'admin' }, TEST_JWT_SECRET),
      'numeric sub': signJwt({ ...claims, sub: 12 }, TEST_JWT_SECRET),
      'deleted user': gone.accessToken,
    };
    for (const [what, token] of Object.entries(tokens)) {
      const body = await expectError(sdk.getMe({ client: authed(a.url, token) }), 401);
      expect(body.code, what).toBe('UNAUTHORIZED');
      await expectError(sdk.listChats({ client: authed(a.url, token) }), 401);
      const refused = await connect(a.url, token).then(
        () => null,
        (error: Error & { data?: { code?: string } }) => error,
      );
      expect(refused?.data?.code, what).toBe('UNAUTHORIZED');
    }
  });

  it('the media cookie stops working after logout', async () => {
    const alice = await registerUser(a.url);
    const login = await sdk.login({ client: anonymous(a.url), body: { login: alice.username, password: alice.password }, throwOnError: true });
    const media = login.response.headers.getSetCookie().find((c) => c.startsWith('msg_media='))!.split(';')[0];
    const probe = () => fetch(`${a.url}/api/v1/attachments/00000000-0000-4000-8000-000000000000`, { headers: { Cookie: media }, redirect: 'manual' });
    // Signed in: the cookie is accepted (the attachment simply does not exist).
    expect((await probe()).status).toBe(404);
    await sdk.logout({ client: anonymous(a.url), body: { refreshToken: login.data.refreshToken }, throwOnError: true });
    expect((await probe()).status).toBe(401);
    // On the other instance as well.
    const viaB = await fetch(`${b.url}/api/v1/attachments/00000000-0000-4000-8000-000000000000`, { headers: { Cookie: media } });
    expect(viaB.status).toBe(401);
  });
});

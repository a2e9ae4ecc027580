import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@/core/config';
import { ErrorCode } from '@/core/errors';
import type { UserEntity } from '@/models/user.entity';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { RefreshTokenRepository } from '@/repositories/refresh-token.repository';
import { UserRepository } from '@/repositories/user.repository';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import { newTestService, stand } from '@test/unit/service';
import { AuthService } from './auth.service';

const config = {
  auth: { jwtSecret: 'unused', accessTtlSeconds: 900, refreshTtlSeconds: 3600 },
  rateLimits: {
    loginFailures: { limit: 10, windowSeconds: 60 },
    register: { limit: 20, windowSeconds: 600 },
    messages: { limit: 600, windowSeconds: 60 },
  },
} as AppConfig;

const alice: UserEntity = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'alice@example.test',
  username: 'alice',
  displayName: 'Alice',
  passwordHash: '$argon2id$hash',
  emailDigest: true,
  role: 'user',
  createdAt: new Date(),
  updatedAt: new Date(),
};

function setup() {
  const users = {
    create: vi.fn(async (input: Partial<UserEntity>) => ({ ...alice, ...input })),
    findTaken: vi.fn(async () => ({ email: false, username: false })),
    findByLoginWithHash: vi.fn(async (): Promise<UserEntity | null> => alice),
    findById: vi.fn(async (): Promise<UserEntity | null> => alice),
  };
  const refreshTokens = {
    create: vi.fn(async (_input: { tokenHash: string; familyId: string; expiresAt: Date }) => undefined),
    spend: vi.fn(),
    revokeFamily: vi.fn(async () => undefined),
    findByHash: vi.fn(),
    familyAlive: vi.fn(async () => true),
  };
  const websocket = { endSession: vi.fn(), onSessionEnded: vi.fn() };
  let n = 0;
  const crypto = {
    hashPassword: vi.fn(async (p: string) => `hash(${p})`),
    verifyPassword: vi.fn(async (hash: string, p: string) => hash === alice.passwordHash && p === 'correct-password'),
    signAccessToken: vi.fn(() => 'access.jwt'),
    randomToken: vi.fn(() => `token-${++n}`),
    uuid: vi.fn(() => `family-${++n}`),
    sha256: vi.fn((v: string) => `sha(${v})`),
    verifyAccessToken: vi.fn(),
  };
  const counts = new Map<string, number>();
  const rateLimits = {
    hit: vi.fn(async (bucket: string, id: string) => {
      const count = (counts.get(`${bucket}:${id}`) ?? 0) + 1;
      counts.set(`${bucket}:${id}`, count);
      return { count, retryAfterSeconds: 42 };
    }),
    release: vi.fn(async (bucket: string, id: string) => {
      counts.set(`${bucket}:${id}`, Math.max(0, (counts.get(`${bucket}:${id}`) ?? 0) - 1));
    }),
    peek: vi.fn(),
    reset: vi.fn(),
  };
  const service = newTestService(
    AuthService,
    [stand(UserRepository, users), stand(RefreshTokenRepository, refreshTokens), stand(CryptoRepository, crypto), stand(RateLimitRepository, rateLimits), stand(WebsocketRepository, websocket)],
    config,
  );
  return { service, users, refreshTokens, crypto, rateLimits, counts, websocket };
}

const client = { ip: '203.0.113.7' };
const registration = { email: 'Alice@Example.test', username: 'Alice', password: 'long-enough-password', displayName: 'Alice' };

describe('AuthService.register', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
    s.users.findByLoginWithHash.mockResolvedValue(null);
  });

  it('creates the user with an argon2 hash and returns tokens but never the hash', async () => {
    const result = await s.service.register(registration, client);
    expect(s.users.create).toHaveBeenCalledWith(expect.objectContaining({ passwordHash: 'hash(long-enough-password)' }));
    expect(result.user).not.toHaveProperty('passwordHash');
    expect(result).toMatchObject({ accessToken: 'access.jwt', refreshToken: expect.any(String), expiresIn: 900 });
  });

  it('stores only the hash of the refresh token, in a new family', async () => {
    const result = await s.service.register(registration, client);
    const stored = s.refreshTokens.create.mock.calls[0][0];
    expect(stored.tokenHash).toBe(`sha(${result.refreshToken})`);
    expect(stored.tokenHash).not.toBe(result.refreshToken);
    expect(stored.familyId).toMatch(/^family-/);
    expect(stored.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('defaults the display name to the username', async () => {
    await s.service.register({ ...registration, displayName: undefined }, client);
    expect(s.users.create).toHaveBeenCalledWith(expect.objectContaining({ displayName: 'Alice' }));
  });

  it('refuses a taken e-mail and a taken username with 409 and creates nothing', async () => {
    s.users.findTaken.mockResolvedValueOnce({ email: true, username: false });
    await expect(s.service.register(registration, client)).rejects.toMatchObject({ code: ErrorCode.Conflict, message: expect.stringContaining('email') });
    s.users.findTaken.mockResolvedValueOnce({ email: false, username: true });
    await expect(s.service.register(registration, client)).rejects.toMatchObject({ code: ErrorCode.Conflict, message: expect.stringContaining('username') });
    expect(s.users.create).not.toHaveBeenCalled();
  });

  it('turns a lost race on the unique index into 409, not 500', async () => {
    s.users.create.mockRejectedValueOnce(Object.assign(new Error('duplicate key'), { driverError: { code: '23505' } }));
    await expect(s.service.register(registration, client)).rejects.toMatchObject({ code: ErrorCode.Conflict });
  });

  it('allows the configured number of registrations per IP, then 429 with a retry time', async () => {
    for (let i = 0; i < 20; i++) await s.service.register(registration, client);
    await expect(s.service.register(registration, client)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      details: { retryAfterSeconds: 42 },
    });
    expect(s.users.create).toHaveBeenCalledTimes(20);
    // Another address has its own budget.
    await expect(s.service.register(registration, { ip: '198.51.100.1' })).resolves.toBeDefined();
  });
});

describe('AuthService.login', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('signs in with the right password', async () => {
    const result = await s.service.login({ login: 'alice', password: 'correct-password' }, client);
    expect(result.user).toMatchObject({ id: alice.id, email: alice.email, username: 'alice', displayName: 'Alice', role: 'user' });
    expect(result.user).not.toHaveProperty('passwordHash');
  });

  it('answers a wrong password and an unknown user with the same 401 message', async () => {
    const wrong = await s.service.login({ login: 'alice', password: 'nope-nope' }, client).catch((e: Error) => e);
    s.users.findByLoginWithHash.mockResolvedValueOnce(null);
    const unknown = await s.service.login({ login: 'nobody', password: 'nope-nope' }, client).catch((e: Error) => e);
    expect(wrong).toMatchObject({ code: ErrorCode.Unauthorized });
    expect(unknown).toMatchObject({ code: ErrorCode.Unauthorized, message: (wrong as Error).message });
    // The unknown user still costs a password verification, so timing does not tell them apart.
    expect(s.crypto.verifyPassword).toHaveBeenCalledTimes(2);
  });

  it('blocks the 11th failure for an account from one IP with 429 without checking the password', async () => {
    for (let i = 0; i < 10; i++) {
      await expect(s.service.login({ login: 'alice', password: 'nope' }, client)).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
    }
    s.crypto.verifyPassword.mockClear();
    await expect(s.service.login({ login: 'alice', password: 'correct-password' }, client)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      details: { retryAfterSeconds: 42 },
    });
    expect(s.crypto.verifyPassword).not.toHaveBeenCalled();
  });

  it('does not refuse the right password from another IP because of failures elsewhere', async () => {
    for (let i = 0; i < 30; i++) {
      await s.service.login({ login: 'alice', password: 'nope' }, { ip: `198.51.100.${i % 3}` }).catch(() => undefined);
    }
    await expect(s.service.login({ login: 'alice', password: 'correct-password' }, { ip: '203.0.113.7' })).resolves.toMatchObject({
      user: { id: alice.id },
    });
  });

  it('does not count a login refused by the per-IP limit against the account', async () => {
    for (let i = 0; i < 25; i++) await s.service.login({ login: 'alice', password: 'nope' }, client).catch(() => undefined);
    expect(s.counts.get(`login-fail-account-ip:user:${alice.id}@${client.ip}`)).toBe(10);
  });

  it('counts failures per account whatever form of the login was typed', async () => {
    for (let i = 0; i < 10; i++) {
      const login = ['alice', 'ALICE', 'alice@example.test', ' Alice@Example.test '][i % 4];
      await s.service.login({ login, password: 'nope' }, client).catch(() => undefined);
    }
    await expect(s.service.login({ login: 'alice@example.test', password: 'nope' }, client)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
  });

  it('blocks an IP after 10 failures even across different accounts', async () => {
    for (let i = 0; i < 10; i++) {
      s.users.findByLoginWithHash.mockResolvedValueOnce(null);
      await s.service.login({ login: `someone${i}`, password: 'nope' }, client).catch(() => undefined);
    }
    await expect(s.service.login({ login: 'alice', password: 'correct-password' }, client)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
  });

  it('gives the slot back on success, so signing in often never trips the limit', async () => {
    for (let i = 0; i < 25; i++) await s.service.login({ login: 'alice', password: 'correct-password' }, client);
    expect(s.counts.get(`login-fail-account-ip:user:${alice.id}@${client.ip}`)).toBe(0);
    expect(s.counts.get(`login-fail-ip:${client.ip}`)).toBe(0);
  });
});

describe('AuthService.refresh and logout', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('rotates within the same family', async () => {
    s.refreshTokens.spend.mockResolvedValueOnce({ status: 'ok', token: { id: 't1', userId: alice.id, familyId: 'fam-A' } });
    const result = await s.service.refresh('old-token');
    expect(s.refreshTokens.spend).toHaveBeenCalledWith('sha(old-token)');
    expect(s.refreshTokens.create).toHaveBeenCalledWith(expect.objectContaining({ familyId: 'fam-A', tokenHash: `sha(${result.refreshToken})` }));
    expect(result.refreshToken).not.toBe('old-token');
  });

  it('revokes the whole family when a spent token is presented again', async () => {
    s.refreshTokens.spend.mockResolvedValueOnce({ status: 'reused', token: { id: 't1', userId: alice.id, familyId: 'fam-A' } });
    await expect(s.service.refresh('old-token')).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
    expect(s.refreshTokens.revokeFamily).toHaveBeenCalledWith('fam-A');
    expect(s.refreshTokens.create).not.toHaveBeenCalled();
  });

  it('answers an unknown or expired token with 401 and revokes nothing', async () => {
    s.refreshTokens.spend.mockResolvedValueOnce({ status: 'invalid' });
    await expect(s.service.refresh('whatever')).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
    expect(s.refreshTokens.revokeFamily).not.toHaveBeenCalled();
  });

  it('refuses to refresh for a user that no longer exists', async () => {
    s.refreshTokens.spend.mockResolvedValueOnce({ status: 'ok', token: { id: 't1', userId: alice.id, familyId: 'fam-A' } });
    s.users.findById.mockResolvedValueOnce(null);
    await expect(s.service.refresh('old-token')).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
  });

  it('logout revokes the family of the token, and ignores an unknown token', async () => {
    s.refreshTokens.findByHash.mockResolvedValueOnce({ familyId: 'fam-B' });
    await s.service.logout('mine');
    expect(s.refreshTokens.revokeFamily).toHaveBeenCalledWith('fam-B');
    s.refreshTokens.findByHash.mockResolvedValueOnce(null);
    await expect(s.service.logout('unknown')).resolves.toBeUndefined();
    expect(s.refreshTokens.revokeFamily).toHaveBeenCalledTimes(1);
  });
});

describe('AuthService.authenticate', () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const sid = '22222222-2222-4222-8222-222222222222';

  it('maps verified claims to the caller, with the role stored now rather than the one in the token', async () => {
    const s = setup();
    s.users.findById.mockResolvedValueOnce({ ...alice, role: 'operator' });
    s.crypto.verifyAccessToken.mockReturnValueOnce({ sub: alice.id, username: 'alice', role: 'admin', exp, sid });
    expect(await s.service.authenticate('good')).toEqual({ userId: alice.id, username: 'alice', role: 'operator', expiresAt: exp, sessionId: sid });
    s.crypto.verifyAccessToken.mockReturnValueOnce(null);
    expect(await s.service.authenticate('bad')).toBeNull();
  });

  it('refuses a token without exp, with a non-UUID sub, for a deleted user or an ended sign-in', async () => {
    const s = setup();
    s.crypto.verifyAccessToken.mockReturnValueOnce({ sub: alice.id, username: 'alice', role: 'user' });
    expect(await s.service.authenticate('no-exp')).toBeNull();
    s.crypto.verifyAccessToken.mockReturnValueOnce({ sub: 'admin', username: 'alice', role: 'user', exp });
    expect(await s.service.authenticate('bad-sub')).toBeNull();
    s.users.findById.mockResolvedValueOnce(null);
    s.crypto.verifyAccessToken.mockReturnValueOnce({ sub: '33333333-3333-4333-8333-333333333333', username: 'gone', role: 'user', exp });
    expect(await s.service.authenticate('deleted')).toBeNull();
    s.refreshTokens.familyAlive.mockResolvedValueOnce(false);
    s.crypto.verifyAccessToken.mockReturnValueOnce({ sub: alice.id, username: 'alice', role: 'user', exp, sid });
    expect(await s.service.authenticate('revoked')).toBeNull();
  });

  it('logout ends the sign-in on every instance and refuses its tokens at once', async () => {
    const s = setup();
    s.crypto.verifyAccessToken.mockReturnValue({ sub: alice.id, username: 'alice', role: 'user', exp, sid });
    expect(await s.service.authenticate('t')).not.toBeNull();
    s.refreshTokens.findByHash.mockResolvedValueOnce({ familyId: sid });
    await s.service.logout('refresh');
    expect(s.websocket.endSession).toHaveBeenCalledWith(sid);
    expect(await s.service.authenticate('t')).toBeNull();
  });
});

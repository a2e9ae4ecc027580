import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, type DomainException } from '@/core/errors';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { RefreshTokenRepository } from '@/repositories/refresh-token.repository';
import { AuthService } from '@/services/auth.service';
import { uniq } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

const CONCURRENCY = 20;

describe('refresh tokens against the real database', () => {
  let t: TestApp;
  let auth: AuthService;
  let tokens: RefreshTokenRepository;

  beforeAll(async () => {
    t = await startApp();
    auth = t.app.get(AuthService);
    tokens = t.app.get(RefreshTokenRepository);
  });
  afterAll(() => t.close());

  const register = () => {
    const username = uniq('rt');
    return auth.register({ email: `${username}@example.test`, username, password: 'password-123' }, { ip: '10.0.0.1' });
  };

  it('spends a token exactly once when the same token is spent concurrently', async () => {
    const session = await register();
    const hash = t.app.get(CryptoRepository).sha256(session.refreshToken);
    const results = await Promise.all(Array.from({ length: CONCURRENCY }, () => tokens.spend(hash)));
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'reused')).toHaveLength(CONCURRENCY - 1);
  });

  it('gives exactly one new pair for concurrent refreshes, and the replays kill that new pair too', async () => {
    const session = await register();
    const settled = await Promise.allSettled(Array.from({ length: CONCURRENCY }, () => auth.refresh(session.refreshToken)));
    const won = settled.filter((s) => s.status === 'fulfilled');
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.every((s) => (s.reason as DomainException).code === ErrorCode.Unauthorized)).toBe(true);

    // The replays mean the token leaked: whoever holds the winner's new token must not keep the session.
    const next = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<AuthService['refresh']>>>).value;
    await expect(auth.refresh(next.refreshToken)).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
  });

  it('keeps a family dead when the winner stores its new token after a replay revoked the family', async () => {
    const session = await register();
    const crypto = t.app.get(CryptoRepository);
    const first = await tokens.spend(crypto.sha256(session.refreshToken));
    expect(first.status).toBe('ok');
    const replay = await tokens.spend(crypto.sha256(session.refreshToken));
    expect(replay.status).toBe('reused');
    await tokens.revokeFamily(first.status === 'ok' ? first.token.familyId : '');

    // The slow winner now stores the successor it is about to hand out.
    const successor = crypto.randomToken();
    await tokens.create({
      userId: session.user.id,
      familyId: first.status === 'ok' ? first.token.familyId : '',
      tokenHash: crypto.sha256(successor),
      expiresAt: new Date(Date.now() + 60_000),
    });
    await expect(auth.refresh(successor)).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
  });

  it('keeps working sequentially: each refresh spends the previous token', async () => {
    const session = await register();
    const second = await auth.refresh(session.refreshToken);
    const third = await auth.refresh(second.refreshToken);
    expect(new Set([session.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
    expect(third.user.id).toBe(session.user.id);
  });
});

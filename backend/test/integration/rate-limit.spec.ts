import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, type DomainException } from '@/core/errors';
import { AuthService } from '@/services/auth.service';
import { ChatService } from '@/services/chat.service';
import { MessageService } from '@/services/message.service';
import { uniq } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

const codeOf = (s: PromiseSettledResult<unknown>) => (s.status === 'rejected' ? (s.reason as DomainException).code : 'ok');

describe('rate limits held in Redis', () => {
  const prefix = `shared${randomBytes(4).toString('hex')}`;
  let one: TestApp;
  let two: TestApp;
  let other: TestApp;

  beforeAll(async () => {
    // Two instances of one deployment share the prefix; a third deployment has its own.
    const env = { RATE_LOGIN_FAILURES: '10', RATE_REGISTER: '100000', RATE_MESSAGES: '6' };
    [one, two, other] = await Promise.all([
      startApp({ ...env, REDIS_PREFIX: prefix }),
      startApp({ ...env, REDIS_PREFIX: prefix }),
      startApp(env),
    ]);
  });
  afterAll(() => Promise.all([one.close(), two.close(), other.close()]));

  const register = async (app: TestApp) => {
    const username = uniq('rl');
    await app.app.get(AuthService).register({ email: `${username}@example.test`, username, password: 'password-123' }, { ip: '10.1.0.1' });
    return username;
  };

  it('counts failed logins across two instances sharing one prefix', async () => {
    const username = await register(one);
    const services = [one.app.get(AuthService), two.app.get(AuthService)];
    for (let i = 0; i < 10; i++) {
      // Alternate instances: the counters live in Redis, not in either process.
      const attempt = services[i % 2].login({ login: username, password: 'wrong-password' }, { ip: '10.2.0.1' });
      await expect(attempt).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
    }
    for (const service of services) {
      await expect(service.login({ login: username, password: 'wrong-password' }, { ip: '10.2.0.1' })).rejects.toMatchObject({
        code: ErrorCode.RateLimited,
        details: { retryAfterSeconds: expect.any(Number) },
      });
    }
    // Failures from one IP never lock the owner out elsewhere.
    await expect(two.app.get(AuthService).login({ login: username, password: 'password-123' }, { ip: '10.2.1.1' })).resolves.toMatchObject({
      user: { username },
    });
    // A deployment with its own prefix keeps its own counters.
    await expect(other.app.get(AuthService).login({ login: username, password: 'password-123' }, { ip: '10.2.1.1' })).resolves.toMatchObject({
      user: { username },
    });
  });

  it('lets no more than the limit of wrong passwords through when they arrive at once', async () => {
    const username = await register(one);
    const services = [one.app.get(AuthService), two.app.get(AuthService)];
    const settled = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => services[i % 2].login({ login: username, password: `guess-${i}` }, { ip: '10.3.0.1' })),
    );
    const codes = settled.map(codeOf);
    expect(codes.filter((c) => c === ErrorCode.Unauthorized)).toHaveLength(10);
    expect(codes.filter((c) => c === ErrorCode.RateLimited)).toHaveLength(30);
  });

  it('counts one budget per account and IP whether the login is the e-mail or the username', async () => {
    const username = await register(one);
    for (let i = 0; i < 10; i++) {
      const login = i % 2 ? `${username}@example.test` : username.toUpperCase();
      await expect(one.app.get(AuthService).login({ login, password: 'wrong-password' }, { ip: '10.4.0.1' })).rejects.toMatchObject({
        code: ErrorCode.Unauthorized,
      });
    }
    await expect(two.app.get(AuthService).login({ login: `${username}@example.test`, password: 'password-123' }, { ip: '10.4.0.1' })).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
  });

  it('does not spend the budget on successful logins', async () => {
    const username = await register(one);
    for (let i = 0; i < 15; i++) {
      await expect(
        two.app.get(AuthService).login({ login: username, password: 'password-123' }, { ip: '10.5.0.1' }),
      ).resolves.toMatchObject({ user: { username } });
    }
  });

  it('counts message sends per user across instances', async () => {
    const session = await one.app.get(AuthService).login({ login: await register(one), password: 'password-123' }, { ip: '10.6.0.1' });
    const me = { userId: session.user.id, username: session.user.username, role: session.user.role };
    const { chat } = await one.app.get(ChatService).create(me, { type: 'group', title: 'limits', memberIds: [] });
    const senders = [one.app.get(MessageService), two.app.get(MessageService)];
    for (let i = 0; i < 6; i++) {
      await expect(senders[i % 2].send(me, chat.id, { clientId: `m${i}`, body: `hello ${i}` })).resolves.toMatchObject({ created: true });
    }
    await expect(senders[0].send(me, chat.id, { clientId: 'm-over', body: 'one too many' })).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
    await expect(senders[1].send(me, chat.id, { clientId: 'm-over', body: 'one too many' })).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
    // Rejected sends stored nothing.
    const page = await senders[1].list(me, chat.id, {});
    expect(page.items.map((m) => m.clientId)).toEqual(['m5', 'm4', 'm3', 'm2', 'm1', 'm0']);
  });
});

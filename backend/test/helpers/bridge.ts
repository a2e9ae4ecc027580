import { freePort } from '../../src/core/embedded';
import { UserService } from '../../src/services/user.service';
import { startFakeAvito, type FakeAvito } from '../fakes/avito';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram';
import { authed, registerUser, type TestUser } from './api';
import { startApp, type TestApp } from './app';

export interface BridgeWorld {
  app: TestApp;
  telegram: FakeTelegram;
  avito: FakeAvito;
  admin: TestUser;
  close(): Promise<void>;
}

/**
 * The app with PUBLIC_URL pointing at itself and the provider URLs at fake Telegram and Avito servers, plus an
 * admin (made one the way the command line does it, since the run's database is not empty).
 */
export async function startBridgeWorld(env: Record<string, string> = {}): Promise<BridgeWorld> {
  const [telegram, avito, port] = await Promise.all([startFakeTelegram(), startFakeAvito(), freePort()]);
  const app = await startApp(
    { PUBLIC_URL: `http://127.0.0.1:${port}`, TELEGRAM_API_URL: telegram.url, AVITO_API_URL: avito.url, BRIDGE_PROVIDER_TIMEOUT_SECONDS: '5', ...env },
    { port },
  );
  const admin = await makeAdmin(app, await registerUser(app.url));
  return {
    app,
    telegram,
    avito,
    admin,
    close: async () => {
      await app.close();
      await Promise.all([telegram.close(), avito.close()]);
    },
  };
}

/** Promotes a user and returns them with a fresh token carrying the role. */
export async function makeAdmin(app: TestApp, user: TestUser): Promise<TestUser> {
  return setRole(app, user, 'admin');
}

export async function setRole(app: TestApp, user: TestUser, role: 'user' | 'operator' | 'admin'): Promise<TestUser> {
  await app.app.get(UserService).setRoleByLogin(user.username, role);
  return { ...user, client: authed(app.url, user.accessToken) };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, registerUser, sdk, uniq } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

const refreshCookie = (response: Response): string | undefined => response.headers.getSetCookie().find((c) => c.startsWith('msg_refresh='));
const cookiePair = (setCookie: string) => setCookie.split(';')[0]!;

describe('browser session (e2e): refresh token in an httpOnly cookie', () => {
  let t: TestApp;
  let staticDir: string;
  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'spa-'));
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>spa</title><script type="module" src="/assets/app-abc123.js"></script>');
    writeFileSync(join(staticDir, 'assets', 'app-abc123.js'), 'console.log(1)');
    t = await startApp({ STATIC_DIR: staticDir });
  });
  afterAll(async () => {
    await t.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('login sets an httpOnly SameSite=Strict cookie scoped to the auth routes, and keeps the JSON body', async () => {
    const user = await registerUser(t.url);
    const res = await sdk.login({ client: anonymous(t.url), body: { login: user.username, password: user.password }, throwOnError: true });
    expect(res.data.refreshToken).toBeTruthy();
    const cookie = refreshCookie(res.response)!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/api/v1/auth');
    expect(cookiePair(cookie)).toBe(`msg_refresh=${res.data.refreshToken}`);
  });

  it('restores the session from the cookie, rotates it, never returns the token, and rejects the spent one', async () => {
    const username = uniq();
    const reg = await sdk.register({
      client: anonymous(t.url),
      body: { email: `${username}@example.test`, username, password: 'password-123' },
      throwOnError: true,
    });
    const first = cookiePair(refreshCookie(reg.response)!);

    const restored = await sdk.restoreSession({ client: anonymous(t.url), headers: { cookie: first }, throwOnError: true });
    expect(restored.data.user.username).toBe(username);
    expect(restored.data.accessToken).toBeTruthy();
    expect(restored.data).not.toHaveProperty('refreshToken');
    const second = cookiePair(refreshCookie(restored.response)!);
    expect(second).not.toBe(first);

    const me = await sdk.getMe({ client: anonymous(t.url), headers: { Authorization: `Bearer ${restored.data.accessToken}` }, throwOnError: true });
    expect(me.data.id).toBe(reg.data.user.id);

    // Replaying the spent cookie revokes the family, so the rotated one dies too.
    const replay = await sdk.restoreSession({ client: anonymous(t.url), headers: { cookie: first } });
    expect(replay.response.status).toBe(401);
    expect(refreshCookie(replay.response)).toContain('Max-Age=0');
    const after = await sdk.restoreSession({ client: anonymous(t.url), headers: { cookie: second } });
    expect(after.response.status).toBe(401);
  });

  it('answers 401 without a cookie', async () => {
    const res = await sdk.restoreSession({ client: anonymous(t.url) });
    expect(res.response.status).toBe(401);
    expect(res.error?.code).toBe('UNAUTHORIZED');
  });

  it('logout with only the cookie revokes it and clears the cookie; logout with a body token still works', async () => {
    const user = await registerUser(t.url);
    const login = await sdk.login({ client: anonymous(t.url), body: { login: user.username, password: user.password }, throwOnError: true });
    const cookie = cookiePair(refreshCookie(login.response)!);
    const out = await sdk.logout({ client: anonymous(t.url), body: {}, headers: { cookie } });
    expect(out.response.status).toBe(204);
    expect(refreshCookie(out.response)).toContain('Max-Age=0');
    expect((await sdk.restoreSession({ client: anonymous(t.url), headers: { cookie } })).response.status).toBe(401);

    const bodyOut = await sdk.logout({ client: anonymous(t.url), body: { refreshToken: user.refreshToken } });
    expect(bodyOut.response.status).toBe(204);
    expect((await sdk.refresh({ client: anonymous(t.url), body: { refreshToken: user.refreshToken } })).response.status).toBe(401);
  });

  it('serves the SPA: CSP without inline script, immutable hashed assets, index.html for client routes, JSON 404 under /api', async () => {
    const index = await fetch(`${t.url}/`, { headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("'unsafe-inline' 'self'; script");
    expect(csp.split(';').find((d) => d.trim().startsWith('script-src'))).not.toContain('unsafe-inline');

    const asset = await fetch(`${t.url}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const deep = await fetch(`${t.url}/chats/6b0b3f4e-0000-4000-8000-000000000000`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>spa</title>');
    expect(deep.headers.get('content-security-policy')).toBe(csp);

    const api = await fetch(`${t.url}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });

    const script = await fetch(`${t.url}/missing.js`, { headers: { accept: '*/*' } });
    expect(script.status).toBe(404);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, sdk, uniq } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

/** Security headers on every response and Secure cookies in production. */
describe('security headers (NODE_ENV=production behind a proxy)', () => {
  let t: TestApp;
  let staticDir: string;
  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'msg-spa-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
    // Production requires its own sealing key for the bridge's secrets.
    t = await startApp({ NODE_ENV: 'production', TRUST_PROXY: 'true', STATIC_DIR: staticDir, BRIDGE_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  });
  afterAll(async () => {
    await t.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('sends nosniff and no-referrer on API answers, errors and the SPA alike', async () => {
    for (const [path, accept] of [['/health', 'application/json'], ['/api/v1/no-such-route', 'application/json'], ['/', 'text/html']]) {
      const res = await fetch(`${t.url}${path}`, { headers: { Accept: accept } });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('sends HSTS only when the request arrived over https', async () => {
    expect((await fetch(`${t.url}/health`)).headers.get('strict-transport-security')).toBeNull();
    const overTls = await fetch(`${t.url}/health`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(overTls.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
  });

  it('limits connect-src to the app origin and the storage origin', async () => {
    const res = await fetch(`${t.url}/`, { headers: { Accept: 'text/html' } });
    const csp = res.headers.get('content-security-policy') ?? '';
    const connect = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src')) ?? '';
    const storageOrigin = new URL(t.config.storage.publicEndpoint).origin;
    expect(connect.split(/\s+/).sort()).toEqual(['connect-src', "'self'", storageOrigin].sort());
  });

  it('marks every cookie Secure in production even when TLS ends at a proxy', async () => {
    const username = uniq();
    const res = await sdk.register({
      client: anonymous(t.url),
      body: { email: `${username}@example.test`, username, password: 'long-enough-1' },
    });
    expect(res.response.status).toBe(201);
    const cookies = res.response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const cookie of cookies) expect(cookie).toMatch(/; Secure/);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { closeAllSockets, connect, request } from '../helpers/socket';

/** JSON work is bounded at parse time, for HTTP bodies and socket payloads alike. */
describe('bounded JSON', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterEach(() => closeAllSockets());
  afterAll(() => t.close());

  const post = (body: string) =>
    fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  it('refuses 400,000 nested arrays with a 400 naming the depth limit, quickly', async () => {
    const started = performance.now();
    const res = await post('['.repeat(400_000) + ']'.repeat(400_000));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.message).toMatch(/deeper than the limit of 32 levels/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a flat body with too many values, naming that limit', async () => {
    const res = await post(`{"login":"a","password":"b","x":[${'0,'.repeat(20_000)}0]}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/more than the limit of 10000 values/);
  });

  it('keeps /health responsive while four such bodies arrive at once', async () => {
    const hostile = '['.repeat(400_000) + ']'.repeat(400_000);
    const attacks = Promise.all([post(hostile), post(hostile), post(hostile), post(hostile)]);
    const started = performance.now();
    const health = await fetch(`${t.url}/health`);
    const healthMs = performance.now() - started;
    expect((await attacks).map((r) => r.status)).toEqual([400, 400, 400, 400]);
    expect(health.status).toBe(200);
    expect(healthMs).toBeLessThan(1500);
  });

  it('still parses ordinary bodies (prototype poisoning stays refused)', async () => {
    const ok = await post('{"login":"nobody","password":"wrong"}');
    expect(ok.status).toBe(401);
    const poisoned = await post('{"login":"a","password":"b","__proto__":{"x":1}}');
    expect(poisoned.status).toBe(400);
  });

  it('closes a socket that sends a payload past the same bounds, without handling it', async () => {
    const alice = await registerUser(t.url);
    const socket = await connect(t.url, alice.accessToken);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const deep = JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown;
    const answer = request(socket, 'typing', { chatId: deep }, 3000).catch((error: Error) => error);
    expect(await closed).toMatch(/transport close|parse error|io server disconnect/);
    expect(await answer).toBeInstanceOf(Error);
    // A fresh connection with an ordinary payload is served as before.
    const again = await connect(t.url, alice.accessToken);
    expect(await request(again, 'typing', { chatId: 'not-a-uuid' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

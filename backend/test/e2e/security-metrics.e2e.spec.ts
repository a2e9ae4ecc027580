import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@/core/embedded';
import { metricsAuth, startApp, TEST_METRICS_TOKEN, type TestApp } from '../helpers/app';

/** /metrics is not public. */
describe('/metrics is not public', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  const start = async (env: Record<string, string> = {}) => {
    const app = await startApp(env);
    apps.push(app);
    return app;
  };

  it('answers 401 without the METRICS_TOKEN bearer, or with a wrong one, and the text with it', async () => {
    const t = await start();
    const anonymous = await fetch(`${t.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('http_request_duration_seconds');
    const wrong = await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const scraped = await fetch(`${t.url}/metrics`, { headers: metricsAuth });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
  });

  it('without any METRICS_TOKEN the public port serves no metrics at all', async () => {
    const t = await start({ METRICS_TOKEN: '' });
    const res = await fetch(`${t.url}/metrics`, { headers: { Authorization: 'Bearer ' } });
    expect(res.status).toBe(401);
  });

  it('with METRICS_PORT serves them on a loopback listener only, and the public port has none', async () => {
    const port = await freePort();
    const t = await start({ METRICS_PORT: String(port), METRICS_TOKEN: '' });
    const local = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(local.status).toBe(200);
    expect(await local.text()).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
  });
});

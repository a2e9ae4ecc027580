import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/** The `pnpm fake:*` scripts: each starts its fake with a seeded bot or account and says how to use it. */

const backendDir = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;

/** Runs `cli.ts <which>` on an ephemeral port (as `tsx` does for the scripts) and waits for its first lines. */
async function startCli(which: string, env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/fakes/cli.ts', which], {
    cwd: backendDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match && output.includes('curl')) return { url: match[1], output: () => output };
    if (proc.exitCode !== null) throw new Error(`cli ${which} exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`cli ${which} did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(): Promise<number | null> {
  const proc = child;
  child = undefined;
  if (!proc || proc.exitCode !== null) return proc?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.kill('SIGTERM');
  return exited;
}

describe('pnpm fake:* scripts', () => {
  afterEach(async () => {
    await stop();
  });

  it('fake:telegram serves the seeded bot and prints what to set', async () => {
    const { url, output } = await startCli('telegram', { FAKE_TELEGRAM_PORT: '0', FAKE_TELEGRAM_TOKEN: '4242:seeded-token', FAKE_TELEGRAM_USERNAME: 'seeded_bot' });
    expect(output()).toContain(`TELEGRAM_API_URL=${url}`);
    expect(output()).toContain('"botToken":"4242:seeded-token"');
    const me = (await (await fetch(`${url}/bot4242:seeded-token/getMe`, { method: 'POST' })).json()) as { ok: boolean; result: { username: string } };
    expect(me).toMatchObject({ ok: true, result: { username: 'seeded_bot' } });
    await expect.poll(() => output()).toContain('@seeded_bot getMe');
    expect(await stop()).toBe(0);
  }, 60_000);

  it('fake:avito issues tokens for the seeded credentials and has the seeded chat', async () => {
    const { url, output } = await startCli('avito', { FAKE_AVITO_PORT: '0', FAKE_AVITO_CLIENT_ID: 'cid', FAKE_AVITO_CLIENT_SECRET: 'csecret', FAKE_AVITO_USER_ID: '777' });
    expect(output()).toContain(`AVITO_API_URL=${url}`);
    expect(output()).toContain('"clientId":"cid","clientSecret":"csecret"');
    const token = (await (
      await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'csecret' }) })
    ).json()) as { access_token: string };
    const chats = (await (await fetch(`${url}/messenger/v2/accounts/777/chats`, { headers: { authorization: `Bearer ${token.access_token}` } })).json()) as {
      chats: Array<{ id: string }>;
    };
    expect(chats.chats.map((chat) => chat.id)).toEqual(['u2i-demo-chat']);
    expect(await stop()).toBe(0);
  }, 60_000);

  it('fake:llm answers chat completions', async () => {
    const { url } = await startCli('llm', { FAKE_LLM_PORT: '0' });
    expect(url).toMatch(/\/v1$/);
    const completion = (await (
      await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'any', messages: [{ role: 'user', content: 'ping' }] }),
      })
    ).json()) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0].message.content).toBe('Fake answer to: ping');
    expect(await stop()).toBe(0);
  }, 60_000);
});

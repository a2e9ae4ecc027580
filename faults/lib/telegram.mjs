// The backend's fake Telegram Bot API (backend/test/fakes/telegram.ts) as a process of its own, started with tsx
// the way `pnpm fake:telegram` does, and driven through its `/_fake/...` control surface: the suite never kills
// it, and a worker SIGKILL leaves its record of what the customers received intact.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './cluster.mjs';

export class FakeTelegramProcess {
  constructor({ root, logDir }) {
    this.root = root;
    this.logDir = logDir;
    this.child = null;
    this.url = null;
  }

  async start() {
    const backend = join(this.root, 'backend');
    const log = createWriteStream(join(this.logDir, 'fake-telegram.log'), { flags: 'a' });
    this.child = spawn(join(backend, 'node_modules', '.bin', 'tsx'), ['test/fakes/cli.ts', 'telegram'], {
      cwd: backend,
      env: { ...process.env, FAKE_HOST: '127.0.0.1', FAKE_TELEGRAM_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = this.child;
    let output = '';
    const keep = (d) => {
      log.write(d);
      if (output.length < 10_000) output += d.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    this.url = await waitFor('the fake Telegram to listen', async () => {
      if (child.exitCode !== null) throw new Error(`the fake Telegram exited:\n${output.slice(-2000)}`);
      return /listening on (http:\/\/\S+)/.exec(output)?.[1];
    }, 60_000, 100);
  }

  async control(method, path, body) {
    const res = await fetch(`${this.url}/_fake${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`fake Telegram ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  addBot(username) {
    return this.control('POST', '/bots', { username });
  }

  /** Calls, accepted sends (`sent`: chatId, text, at), webhook and faults of one bot. */
  bot(token) {
    return this.control('GET', `/bots/${encodeURIComponent(token)}`);
  }

  fault(token, method, fault, times) {
    return this.control('POST', `/bots/${encodeURIComponent(token)}/fault`, { method, fault, times });
  }

  /** An update made by the fake but not delivered: the suite posts it to an API instance itself. */
  async update(token, options) {
    return (await this.control('POST', `/bots/${encodeURIComponent(token)}/updates`, { ...options, deliver: false })).update;
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

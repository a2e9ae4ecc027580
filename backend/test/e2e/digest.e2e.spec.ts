import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, type TestUser, sentNow } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { closeAllSockets, connect } from '../helpers/socket';

interface Mail {
  to: string[];
  raw: string;
  at: number;
}

/** A real SMTP server on a local port, recording what it receives. */
async function smtpSink(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, at: Date.now() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await wait(50);
  }
}

describe('e-mail digest of unread messages (e2e, local SMTP server)', () => {
  let smtp: Awaited<ReturnType<typeof smtpSink>>;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await smtpSink();
    // Seconds instead of 15 minutes and an hour, so the rules are observable in a test.
    t = await startApp({ SMTP_URL: smtp.url, DIGEST_OFFLINE_SECONDS: '1', DIGEST_INTERVAL_SECONDS: '4' });
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const say = (from: TestUser, chatId: string, body: string) =>
    sdk.sendMessage({ client: from.client, path: { chatId }, body: { clientId: randomUUID(), body }, throwOnError: true });
  const mailsTo = (u: TestUser) => smtp.mails.filter((m) => m.to.includes(u.email));

  it('sends one digest to a member who is away, none to one online, none to one who switched it off, at most one per interval', async () => {
    const [alice, bob, carol, dave] = await Promise.all([1, 2, 3, 4].map(() => registerUser(t.url)));
    await sdk.updateMe({ client: dave.client, body: { emailDigest: false }, throwOnError: true });
    const chatId = (
      await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'Weekend plans', memberIds: [bob.id, carol.id, dave.id] }, throwOnError: true })
    ).data.id;
    await connect(t.url, carol.accessToken);

    for (const body of ['first', 'second', 'third']) await say(alice, chatId, body);
    await until(() => mailsTo(bob).length >= 1, 15_000, 'the digest to bob');
    await wait(1500);

    // Three messages, one job (deduplicated by its id), one mail.
    expect(mailsTo(bob)).toHaveLength(1);
    const mail = mailsTo(bob)[0].raw;
    expect(mail).toMatch(/^Subject: 3 unread messages in 1 chat$/m);
    expect(mail).toContain('Weekend plans (3)');
    expect(mail).toContain('third');
    expect(mailsTo(carol)).toHaveLength(0);
    expect(mailsTo(dave)).toHaveLength(0);
    expect(mailsTo(alice)).toHaveLength(0);

    // More news soon after: the next digest waits for the interval and reports only what is new.
    const firstAt = mailsTo(bob)[0].at;
    await say(alice, chatId, 'fourth');
    await until(() => mailsTo(bob).length >= 2, 15_000, 'the second digest');
    const second = mailsTo(bob)[1];
    expect(second.at - firstAt).toBeGreaterThanOrEqual(3900);
    expect(second.raw).toMatch(/^Subject: 1 unread message in 1 chat$/m);
  });

  it('waits until a member has been offline long enough after leaving', async () => {
    const [alice, erin] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: erin.id }, throwOnError: true })).data.id;
    const socket = await connect(t.url, erin.accessToken);
    await say(alice, chatId, 'are you there?');
    // Online when the check runs: no mail, but it looks again while the message stays unread.
    await wait(1600);
    expect(mailsTo(erin)).toHaveLength(0);
    socket.disconnect();
    const left = Date.now();
    await until(() => mailsTo(erin).length >= 1, 15_000, 'the digest after erin left');
    expect(mailsTo(erin)[0].at - left).toBeGreaterThanOrEqual(900);
  });

  it('sends nothing once the messages were read', async () => {
    const [alice, frank] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: frank.id }, throwOnError: true })).data.id;
    const { data } = await say(alice, chatId, 'read me');
    await sdk.markChatRead({ client: frank.client, path: { chatId }, body: { seq: sentNow(data).seq }, throwOnError: true });
    await wait(2500);
    expect(mailsTo(frank)).toHaveLength(0);
  });
});

describe('e-mail digest without SMTP_URL', () => {
  it('writes the mail as an .eml file under the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'msg-mail-'));
    const t = await startApp({ DATA_DIR: dataDir, DIGEST_OFFLINE_SECONDS: '1' });
    try {
      const [alice, bob] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
      const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
      await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body: 'offline hello' }, throwOnError: true });
      const outbox = join(dataDir, 'mail');
      const files = () => {
        try {
          return readdirSync(outbox).filter((f) => f.endsWith('.eml'));
        } catch {
          return [];
        }
      };
      await until(() => files().length > 0, 15_000, 'an .eml file');
      const eml = readFileSync(join(outbox, files()[0]), 'utf8');
      expect(eml).toMatch(new RegExp(`^To: ${bob.email}$`, 'm'));
      expect(eml).toContain('offline hello');
    } finally {
      await t.close();
    }
  });
});

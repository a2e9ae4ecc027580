import { Queue } from 'bullmq';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerUser, sdk, uniq, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';
import { closeAllSockets, connect, Inbox } from '../helpers/socket';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram';

/**
 * The operator inbox over HTTP and socket.io: snooze, filters and counts, labels, canned replies, contacts, viewers,
 * auto-assignment and statistics, with customers writing through the fake Telegram Bot API.
 */
describe('operator inbox', () => {
  let t: TestApp;
  let fake: FakeTelegram;
  let db: Client;
  let admin: TestUser;
  let anna: TestUser;
  let boris: TestUser;
  let outsider: TestUser;

  /** A fresh bot as a channel worked by the given operators, its webhook pointed at this app. */
  async function channelWith(operators: TestUser[], opts: { autoAssign?: boolean } = {}): Promise<{ id: string; bot: FakeBot }> {
    const bot = fake.addBot({ username: `${uniq('b')}_bot` });
    const created = await sdk.createChannel({ client: admin.client, body: { type: 'telegram', name: `Shop ${bot.username}`, botToken: bot.token }, throwOnError: true });
    const id = created.data.id;
    await sdk.setChannelOperators({ client: admin.client, path: { id }, body: { userIds: operators.map((o) => o.id) }, throwOnError: true });
    if (opts.autoAssign) await sdk.updateChannel({ client: admin.client, path: { id }, body: { autoAssign: true }, throwOnError: true });
    // PUBLIC_URL is not known before the app listens; the fake calls the app where it really is.
    const hook = new URL(bot.webhook!.url);
    bot.webhook!.url = `${t.url}${hook.pathname}`;
    return { id, bot };
  }

  /** A customer writes; resolves with the thread once the inbound job has stored it. */
  async function customerWrites(channel: { id: string; bot: FakeBot }, text: string, from: { id: number; firstName: string }) {
    const res = await channel.bot.deliver(channel.bot.update('text', { text, from }));
    expect(res.status).toBe(200);
    return eventually(async () => {
      const list = await sdk.listInboxThreads({ client: admin.client, query: { channelId: channel.id }, throwOnError: true });
      const thread = list.data.items.find((i) => i.contact.externalId === String(from.id) && i.lastMessage?.body === text);
      if (!thread) throw new Error('thread not there yet');
      return thread;
    });
  }

  async function thread(user: TestUser, channelId: string, chatId: string) {
    const list = await sdk.listInboxThreads({ client: user.client, query: { channelId }, throwOnError: true });
    const found = list.data.items.find((i) => i.chat.id === chatId);
    if (!found) throw new Error('thread not visible');
    return found;
  }

  beforeAll(async () => {
    fake = await startFakeTelegram();
    t = await startApp({ PUBLIC_URL: 'http://127.0.0.1:9', TELEGRAM_API_URL: fake.url });
    db = new Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    admin = await registerUser(t.url, { displayName: 'Admin' });
    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    [anna, boris, outsider] = await Promise.all([
      registerUser(t.url, { displayName: 'Anna' }),
      registerUser(t.url, { displayName: 'Boris' }),
      registerUser(t.url, { displayName: 'Outsider' }),
    ]);
    await db.query(`UPDATE users SET role = 'operator' WHERE id = ANY($1::uuid[])`, [[anna.id, boris.id]]);
  }, 60_000);

  afterAll(async () => {
    closeAllSockets();
    await t?.close();
    await db?.end();
    await fake?.close();
  });

  it('snoozes a thread until its time and opens it again through the delayed job', async () => {
    const channel = await channelWith([anna]);
    const first = await customerWrites(channel, 'is it still for sale?', { id: 501, firstName: 'Carl' });
    expect(first.status).toBe('open');

    await expectError(sdk.updateInboxThread({ client: anna.client, path: { chatId: first.chat.id }, body: { status: 'snoozed' } }), 400, 'snoozedUntil');
    await expectError(
      sdk.updateInboxThread({ client: anna.client, path: { chatId: first.chat.id }, body: { status: 'snoozed', snoozedUntil: new Date(Date.now() - 1000).toISOString() } }),
      400,
      'snoozedUntil',
    );
    const until = new Date(Date.now() + 2500);
    const snoozed = await sdk.updateInboxThread({ client: anna.client, path: { chatId: first.chat.id }, body: { status: 'snoozed', snoozedUntil: until.toISOString() }, throwOnError: true });
    expect(snoozed.data).toMatchObject({ status: 'snoozed', snoozedUntil: until.toISOString() });

    const socket = await connect(t.url, anna.accessToken);
    const events = new Inbox(socket);
    await events.waitFor<{ chat: { id: string }; status: string }>('thread:updated', (e) => e.chat.id === first.chat.id && e.status === 'open', 1, 30_000);
    const woken = await thread(anna, channel.id, first.chat.id);
    expect(woken).toMatchObject({ status: 'open', snoozedUntil: null });
    expect(Date.now()).toBeGreaterThanOrEqual(until.getTime());
    socket.disconnect();
  }, 60_000);

  it('opens a snoozed thread early when the customer writes', async () => {
    const channel = await channelWith([anna]);
    const first = await customerWrites(channel, 'hello', { id: 502, firstName: 'Dina' });
    await sdk.updateInboxThread({
      client: anna.client,
      path: { chatId: first.chat.id },
      body: { status: 'snoozed', snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() },
      throwOnError: true,
    });
    await customerWrites(channel, 'anyone there?', { id: 502, firstName: 'Dina' });
    expect(await thread(anna, channel.id, first.chat.id)).toMatchObject({ status: 'open', snoozedUntil: null });
  }, 60_000);

  it('rebuilds a lost wake-up job from PostgreSQL at start-up', async () => {
    const channel = await channelWith([anna]);
    const first = await customerWrites(channel, 'ping', { id: 503, firstName: 'Egor' });
    const until = new Date(Date.now() + 3000);
    await sdk.updateInboxThread({ client: anna.client, path: { chatId: first.chat.id }, body: { status: 'snoozed', snoozedUntil: until.toISOString() }, throwOnError: true });
    // Redis loses the job (as after a flush): only the table still knows.
    const queue = new Queue('bridge', { connection: { url: inject('redisUrl') } as never, prefix: `${t.config.redis.prefix}:bull` });
    const job = await queue.getJob(`snooze-${first.chat.id}-${until.getTime()}`);
    expect(job).toBeTruthy();
    await job!.remove();
    await queue.close();

    const restarted = await startApp({ PUBLIC_URL: 'http://127.0.0.1:9', TELEGRAM_API_URL: fake.url });
    try {
      await eventually(async () => {
        const view = await thread(anna, channel.id, first.chat.id);
        if (view.status !== 'open') throw new Error(`still ${view.status}`);
      }, 30_000);
    } finally {
      await restarted.close();
    }
  }, 60_000);

  it('filters the list by status, assignee, label, unread and text, and counts the tabs', async () => {
    const channel = await channelWith([anna, boris]);
    const a = await customerWrites(channel, 'where is my parcel', { id: 601, firstName: 'Fedor' });
    const b = await customerWrites(channel, 'price of the red bike?', { id: 602, firstName: 'Galina' });
    const c = await customerWrites(channel, 'thanks!', { id: 603, firstName: 'Harry' });
    await sdk.updateInboxThread({ client: anna.client, path: { chatId: a.chat.id }, body: { assigneeId: anna.id }, throwOnError: true });
    await sdk.updateInboxThread({ client: anna.client, path: { chatId: c.chat.id }, body: { status: 'resolved', assigneeId: boris.id }, throwOnError: true });
    await sdk.markChatRead({ client: anna.client, path: { chatId: b.chat.id }, body: { seq: b.chat.lastMessageSeq }, throwOnError: true });

    const ids = async (query: Record<string, unknown>) =>
      (await sdk.listInboxThreads({ client: anna.client, query: { channelId: channel.id, ...query }, throwOnError: true })).data.items.map((i) => i.chat.id).sort();
    expect(await ids({ status: 'open' })).toEqual([a.chat.id, b.chat.id].sort());
    expect(await ids({ status: 'resolved' })).toEqual([c.chat.id]);
    expect(await ids({ assignee: 'me' })).toEqual([a.chat.id]);
    expect(await ids({ assignee: 'none' })).toEqual([b.chat.id]);
    expect(await ids({ assignee: boris.id })).toEqual([c.chat.id]);
    expect(await ids({ q: 'galin' })).toEqual([b.chat.id]);
    expect(await ids({ q: 'PARCEL' })).toEqual([a.chat.id]);
    expect(await ids({ q: '100%' })).toEqual([]);
    const unread = await ids({ unread: true });
    expect(unread).toContain(a.chat.id);
    expect(unread).not.toContain(b.chat.id);

    const counts = await sdk.getInboxCounts({ client: anna.client, query: { channelId: channel.id }, throwOnError: true });
    expect(counts.data).toEqual({ mine: 1, unassigned: 1, all: 3 });
    const openCounts = await sdk.getInboxCounts({ client: boris.client, query: { channelId: channel.id, status: 'open' }, throwOnError: true });
    expect(openCounts.data).toEqual({ mine: 0, unassigned: 1, all: 2 });
    // Someone who does not work the channel sees nothing of it.
    expect((await sdk.getInboxCounts({ client: outsider.client, query: { channelId: channel.id }, throwOnError: true })).data).toEqual({ mine: 0, unassigned: 0, all: 0 });
    await expectError(sdk.listInboxThreads({ client: anna.client, query: { unread: 'maybe' as never } }), 400, 'unread');
  }, 60_000);

  it('lets admins manage labels and operators put them on threads', async () => {
    const channel = await channelWith([anna]);
    const th = await customerWrites(channel, 'refund please', { id: 701, firstName: 'Ivan' });
    const name = uniq('Refund');
    await expectError(sdk.createLabel({ client: anna.client, body: { name } }), 403);
    const label = (await sdk.createLabel({ client: admin.client, body: { name, color: '#F59E0B' }, throwOnError: true })).data;
    expect(label).toMatchObject({ name, color: '#f59e0b' });
    await expectError(sdk.createLabel({ client: admin.client, body: { name: name.toUpperCase() } }), 409);
    await expectError(sdk.createLabel({ client: admin.client, body: { name: 'x', color: 'red' } }), 400, 'color');
    expect((await sdk.listLabels({ client: anna.client, throwOnError: true })).data.items.map((l) => l.id)).toContain(label.id);
    await expectError(sdk.listLabels({ client: outsider.client }), 403);

    const labelled = await sdk.setInboxThreadLabels({ client: anna.client, path: { chatId: th.chat.id }, body: { labelIds: [label.id] }, throwOnError: true });
    expect(labelled.data.labels).toEqual([{ id: label.id, name, color: '#f59e0b' }]);
    await expectError(sdk.setInboxThreadLabels({ client: anna.client, path: { chatId: th.chat.id }, body: { labelIds: [crypto.randomUUID()] } }), 400, 'labelIds');
    await expectError(sdk.setInboxThreadLabels({ client: outsider.client, path: { chatId: th.chat.id }, body: { labelIds: [] } }), 404);
    const filtered = await sdk.listInboxThreads({ client: anna.client, query: { labelId: label.id }, throwOnError: true });
    expect(filtered.data.items.map((i) => i.chat.id)).toEqual([th.chat.id]);

    const renamed = await sdk.updateLabel({ client: admin.client, path: { id: label.id }, body: { name: `${name}-2` }, throwOnError: true });
    expect(renamed.data.name).toBe(`${name}-2`);
    await sdk.deleteLabel({ client: admin.client, path: { id: label.id }, throwOnError: true });
    expect((await thread(anna, channel.id, th.chat.id)).labels).toEqual([]);
    await expectError(sdk.deleteLabel({ client: admin.client, path: { id: label.id } }), 404);
  }, 60_000);

  it('serves canned replies to operators, filled in for a thread', async () => {
    const channel = await channelWith([anna]);
    const th = await customerWrites(channel, 'hi', { id: 801, firstName: 'Julia' });
    const shortcut = uniq('hello');
    await expectError(sdk.createCannedResponse({ client: anna.client, body: { shortcut, body: 'x' } }), 403);
    const created = (await sdk.createCannedResponse({
      client: admin.client,
      body: { shortcut, body: 'Hello {{contact.name}}, this is {{ operator.name }}. {{unknown}}' },
      throwOnError: true,
    })).data;
    await expectError(sdk.createCannedResponse({ client: admin.client, body: { shortcut, body: 'again' } }), 409);
    await expectError(sdk.createCannedResponse({ client: admin.client, body: { shortcut: 'has space', body: 'x' } }), 400, 'shortcut');

    const list = await sdk.listCannedResponses({ client: anna.client, query: { chatId: th.chat.id }, throwOnError: true });
    const mine = list.data.items.find((i) => i.id === created.id);
    expect(th.contact.name).toMatch(/^Julia/);
    expect(mine).toMatchObject({ shortcut, rendered: `Hello ${th.contact.name}, this is Anna. {{unknown}}` });
    const plain = await sdk.listCannedResponses({ client: anna.client, throwOnError: true });
    expect(plain.data.items.find((i) => i.id === created.id)?.rendered).toBeUndefined();
    await expectError(sdk.listCannedResponses({ client: outsider.client }), 403);
    await expectError(sdk.listCannedResponses({ client: boris.client, query: { chatId: th.chat.id } }), 404);

    const updated = await sdk.updateCannedResponse({ client: admin.client, path: { id: created.id }, body: { body: 'Bye {{contact.name}}' }, throwOnError: true });
    expect(updated.data.body).toBe('Bye {{contact.name}}');
    await sdk.deleteCannedResponse({ client: admin.client, path: { id: created.id }, throwOnError: true });
    await expectError(sdk.deleteCannedResponse({ client: admin.client, path: { id: created.id } }), 404);
  }, 60_000);

  it("shows a contact's threads and links two contacts of one person across channels", async () => {
    const shop = await channelWith([anna]);
    const support = await channelWith([anna]);
    const one = await customerWrites(shop, 'order 1', { id: 901, firstName: 'Kira' });
    const two = await customerWrites(support, 'order 1 broke', { id: 902, firstName: 'Kira' });

    const before = await sdk.getContact({ client: anna.client, path: { id: one.contact.id }, throwOnError: true });
    expect(before.data.linked).toEqual([]);
    expect(before.data.threads.map((x) => x.chat.id)).toEqual([one.chat.id]);
    await expectError(sdk.getContact({ client: outsider.client, path: { id: one.contact.id } }), 404);
    await expectError(sdk.linkContact({ client: anna.client, path: { id: one.contact.id }, body: { contactId: one.contact.id } }), 400, 'contactId');

    const linked = await sdk.linkContact({ client: anna.client, path: { id: one.contact.id }, body: { contactId: two.contact.id }, throwOnError: true });
    expect(linked.data.linked.map((c) => c.id)).toEqual([two.contact.id]);
    expect(linked.data.threads.map((x) => x.chat.id).sort()).toEqual([one.chat.id, two.chat.id].sort());
    const fromOther = await sdk.getContact({ client: anna.client, path: { id: two.contact.id }, throwOnError: true });
    expect(fromOther.data.linked.map((c) => c.id)).toEqual([one.contact.id]);
    expect(fromOther.data.threads).toHaveLength(2);
  }, 60_000);

  it("announces who is viewing a thread, with names, and drops a viewer who leaves", async () => {
    const channel = await channelWith([anna, boris]);
    const th = await customerWrites(channel, 'question', { id: 1001, firstName: 'Lev' });
    const annaSocket = await connect(t.url, anna.accessToken);
    const annaEvents = new Inbox(annaSocket);

    const first = await sdk.viewInboxThread({ client: anna.client, path: { chatId: th.chat.id }, throwOnError: true });
    expect(first.data.viewers).toEqual([{ userId: anna.id, name: 'Anna' }]);
    const both = await sdk.viewInboxThread({ client: boris.client, path: { chatId: th.chat.id }, throwOnError: true });
    expect(both.data.viewers.map((v) => v.name).sort()).toEqual(['Anna', 'Boris']);
    await annaEvents.waitFor<{ chatId: string; viewers: Array<{ name: string }> }>('thread:viewers', (e) => e.chatId === th.chat.id && e.viewers.some((v) => v.name === 'Boris'));

    await sdk.leaveInboxThread({ client: boris.client, path: { chatId: th.chat.id }, throwOnError: true });
    await annaEvents.waitFor<{ chatId: string; viewers: Array<{ name: string }> }>('thread:viewers', (e) => e.chatId === th.chat.id && e.viewers.length === 1);
    await expectError(sdk.viewInboxThread({ client: outsider.client, path: { chatId: th.chat.id } }), 404);
    annaSocket.disconnect();
  }, 60_000);

  it('answers 409 REPLIED_MEANWHILE when another operator replied after you opened the thread, unless force is true', async () => {
    const channel = await channelWith([anna, boris]);
    const th = await customerWrites(channel, 'is it available?', { id: 1050, firstName: 'Vera' });
    await sdk.viewInboxThread({ client: anna.client, path: { chatId: th.chat.id }, throwOnError: true });
    await sdk.viewInboxThread({ client: boris.client, path: { chatId: th.chat.id }, throwOnError: true });
    await sdk.sendMessage({ client: anna.client, path: { chatId: th.chat.id }, body: { body: 'Yes, it is', clientId: uniq('c') }, throwOnError: true });

    // A note is team talk, never a reply: it neither warns nor is refused.
    await sdk.sendMessage({ client: boris.client, path: { chatId: th.chat.id }, body: { body: 'I will take the next one', internal: true, clientId: uniq('c') }, throwOnError: true });
    const clientId = uniq('c');
    const refused = await expectError(sdk.sendMessage({ client: boris.client, path: { chatId: th.chat.id }, body: { body: 'Yes!', clientId } }), 409);
    expect(refused).toMatchObject({ code: 'REPLIED_MEANWHILE', repliedBy: { userId: anna.id, name: 'Anna' } });
    expect(refused.message).toMatch(/^Anna replied \d+ s ago/);
    const history = await sdk.listMessages({ client: boris.client, path: { chatId: th.chat.id }, throwOnError: true });
    expect(history.data.items.map((m) => m.body)).not.toContain('Yes!');

    const forced = await sdk.sendMessage({ client: boris.client, path: { chatId: th.chat.id }, body: { body: 'Yes!', clientId, force: true }, throwOnError: true });
    expect(forced.data.body).toBe('Yes!');
    // Having answered with Anna's reply in view, Boris is not asked again about it.
    await sdk.sendMessage({ client: boris.client, path: { chatId: th.chat.id }, body: { body: 'Anything else?', clientId: uniq('c') }, throwOnError: true });
    // Anna opened the thread before Boris's replies: now she is the one asked.
    await expectError(sdk.sendMessage({ client: anna.client, path: { chatId: th.chat.id }, body: { body: 'Bye', clientId: uniq('c') } }), 409);
    await eventually(async () => {
      const texts = channel.bot.sent.map((m) => m.text);
      if (!texts.includes('Anything else?')) throw new Error('not delivered yet');
      expect(texts.filter((x) => x === 'Yes!')).toHaveLength(1);
      expect(texts).not.toContain('I will take the next one');
      expect(texts).not.toContain('Bye');
    }, 30_000);
  }, 60_000);

  it('auto-assigns new threads to online operators with the fewest open threads, in turn, and unassigns on lost access', async () => {
    const carol = await registerUser(t.url, { displayName: 'Carol' });
    const dan = await registerUser(t.url, { displayName: 'Dan' });
    const offline = await registerUser(t.url, { displayName: 'Offline' });
    const channel = await channelWith([carol, dan, offline], { autoAssign: true });
    expect((await sdk.getChannel({ client: admin.client, path: { id: channel.id }, throwOnError: true })).data.autoAssign).toBe(true);
    const sockets = await Promise.all([connect(t.url, carol.accessToken), connect(t.url, dan.accessToken)]);

    const assignees: Array<string | null> = [];
    for (const [i, name] of ['Mia', 'Nik', 'Ola', 'Pit'].entries()) {
      const th = await customerWrites(channel, `hello ${i}`, { id: 1100 + i, firstName: name });
      assignees.push((await thread(admin, channel.id, th.chat.id)).assigneeId);
    }
    expect(assignees.filter((a) => a === carol.id)).toHaveLength(2);
    expect(assignees.filter((a) => a === dan.id)).toHaveLength(2);
    expect(assignees).not.toContain(offline.id);

    // Dan leaves the channel: his threads lose their assignee.
    await sdk.setChannelOperators({ client: admin.client, path: { id: channel.id }, body: { userIds: [carol.id] }, throwOnError: true });
    const list = await sdk.listInboxThreads({ client: admin.client, query: { channelId: channel.id }, throwOnError: true });
    expect(list.data.items.map((i) => i.assigneeId)).not.toContain(dan.id);
    for (const s of sockets) s.disconnect();
  }, 60_000);

  it('computes statistics from the status log and the messages', async () => {
    const channel = await channelWith([anna]);
    const th = await customerWrites(channel, 'how much?', { id: 1201, firstName: 'Rita' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await sdk.sendMessage({ client: anna.client, path: { chatId: th.chat.id }, body: { body: 'note to self', internal: true, clientId: uniq('c') }, throwOnError: true });
    await sdk.sendMessage({ client: anna.client, path: { chatId: th.chat.id }, body: { body: '100 EUR', clientId: uniq('c') }, throwOnError: true });
    // Status changes count for the thread's assignee at the time.
    await sdk.updateInboxThread({ client: anna.client, path: { chatId: th.chat.id }, body: { assigneeId: anna.id }, throwOnError: true });
    await sdk.updateInboxThread({ client: anna.client, path: { chatId: th.chat.id }, body: { status: 'resolved' }, throwOnError: true });
    await customerWrites(channel, 'too expensive', { id: 1201, firstName: 'Rita' });

    const stats = (await sdk.getInboxStats({ client: anna.client, query: { channelId: channel.id }, throwOnError: true })).data;
    expect(stats.channels).toHaveLength(1);
    const row = stats.channels[0];
    expect(row).toMatchObject({ channelId: channel.id, channelName: `Shop ${channel.bot.username}`, opened: 1, resolved: 1, reopened: 1, messagesIn: 2, messagesOut: 1 });
    expect(row.firstResponseMedianSeconds).toBeGreaterThanOrEqual(1);
    expect(row.firstResponseMedianSeconds).toBeLessThan(60);
    expect(row.resolutionMedianSeconds).toBeGreaterThan(0);
    expect(stats.total).toMatchObject({ opened: 1, resolved: 1, reopened: 1 });
    const annaRow = stats.operators.find((o) => o.operatorId === anna.id);
    expect(annaRow).toMatchObject({ operatorName: 'Anna', messagesOut: 1, resolved: 1 });
    expect(annaRow?.firstResponseMedianSeconds).toBe(row.firstResponseMedianSeconds);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.days.find((d) => d.date === today)).toMatchObject({ opened: 1, resolved: 1 });

    // Another operator's channel is not in Anna's figures; a bad period is refused.
    const empty = (await sdk.getInboxStats({ client: outsider.client, query: { channelId: channel.id }, throwOnError: true })).data;
    expect(empty.channels).toEqual([]);
    await expectError(sdk.getInboxStats({ client: anna.client, query: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }), 400, 'from');
  }, 60_000);
});

async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}


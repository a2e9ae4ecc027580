import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, sentNow, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

type Synced = Awaited<ReturnType<typeof sdk.sync<true>>>['data'];
interface Collected {
  cursor: string;
  pages: number;
  messages: Synced['messages'];
  chats: Synced['chats'];
  removedChatIds: string[];
}

describe('GET /sync (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const user = () => registerUser(t.url);
  const now = async (u: TestUser) => (await sdk.sync({ client: u.client, throwOnError: true })).data.cursor;
  const say = async (u: TestUser, chatId: string, body: string) =>
    sentNow((await sdk.sendMessage({ client: u.client, path: { chatId }, body: { clientId: randomUUID(), body }, throwOnError: true })).data);

  /** Follows `hasMore` to the end, as a client does after a reconnect. */
  async function drain(u: TestUser, since: string, limit?: number): Promise<Collected> {
    const all: Collected = { cursor: since, pages: 0, messages: [], chats: [], removedChatIds: [] };
    for (;;) {
      const { data } = await sdk.sync({ client: u.client, query: { since: all.cursor, limit }, throwOnError: true });
      all.pages++;
      all.messages.push(...data.messages);
      all.chats.push(...data.chats);
      all.removedChatIds.push(...data.removedChatIds);
      all.cursor = data.cursor;
      if (!data.hasMore) return all;
    }
  }

  /**
   * Changes become visible once no older transaction is still running anywhere in the database (other
   * suites run in parallel), so a sync right after a write may legitimately come back short: keep syncing.
   */
  async function syncUntil(u: TestUser, since: string, done: (c: Collected) => boolean, limit?: number): Promise<Collected> {
    const all: Collected = { cursor: since, pages: 0, messages: [], chats: [], removedChatIds: [] };
    const deadline = Date.now() + 5000;
    for (;;) {
      const page = await drain(u, all.cursor, limit);
      all.pages += page.pages;
      all.messages.push(...page.messages);
      all.chats.push(...page.chats);
      all.removedChatIds.push(...page.removedChatIds);
      all.cursor = page.cursor;
      if (done(all)) return all;
      if (Date.now() > deadline) throw new Error(`sync did not reach the expected state: ${JSON.stringify(all).slice(0, 500)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('without a cursor returns nothing but a cursor for now; a foreign string is a 400 naming since', async () => {
    const alice = await user();
    const bob = await user();
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
    await say(bob, chatId, 'before the cursor');

    const first = await sdk.sync({ client: alice.client, throwOnError: true });
    expect(first.data).toMatchObject({ hasMore: false, messages: [], chats: [], removedChatIds: [] });
    expect(first.data.cursor).toMatch(/^[\w-]+$/);
    const zero = await sdk.sync({ client: alice.client, query: { since: '0' }, throwOnError: true });
    expect(zero.data.messages).toEqual([]);

    await say(bob, chatId, 'after the cursor');
    const later = await syncUntil(alice, first.data.cursor, (c) => c.messages.length > 0);
    expect(later.messages.map((m) => m.body)).toEqual(['after the cursor']);

    for (const since of ['abc', Buffer.from('1.2.x.3').toString('base64url'), 'x'.repeat(201)]) {
      const res = await sdk.sync({ client: alice.client, query: { since } });
      expect(res.response.status).toBe(400);
      expect(res.error).toMatchObject({ code: expect.stringMatching(/BAD_REQUEST|VALIDATION_FAILED/), fields: ['since'] });
    }
    const badLimit = await sdk.sync({ client: alice.client, query: { since: first.data.cursor, limit: 0 } });
    expect(badLimit.response.status).toBe(400);
  });

  it('returns new messages, edits and deletes in their current state, and chats joined, changed or left', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const dm = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
    const doomed = (await sdk.createChat({ client: carol.client, body: { type: 'group', title: 'doomed', memberIds: [alice.id] }, throwOnError: true })).data.id;
    const kept = await say(alice, dm, 'kept as is');
    const since = await now(alice);

    const fresh = await say(bob, dm, 'new one');
    const edited = await say(alice, dm, 'first draft');
    await sdk.editMessage({ client: alice.client, path: { id: edited.id }, body: { body: 'second draft' }, throwOnError: true });
    await sdk.editMessage({ client: alice.client, path: { id: edited.id }, body: { body: 'final' }, throwOnError: true });
    await sdk.deleteMessage({ client: bob.client, path: { id: fresh.id }, throwOnError: true });
    const joined = (await sdk.createChat({ client: carol.client, body: { type: 'group', title: 'joined', memberIds: [alice.id] }, throwOnError: true })).data.id;
    await say(carol, joined, 'welcome');
    await say(carol, doomed, 'alice will not see this');
    await sdk.removeChatMember({ client: carol.client, path: { chatId: doomed, userId: alice.id }, throwOnError: true });
    await say(carol, doomed, 'nor this');

    const synced = await syncUntil(alice, since, (c) => c.removedChatIds.includes(doomed) && c.messages.some((m) => m.body === 'welcome'));
    const byId = new Map(synced.messages.map((m) => [m.id, m]));
    expect(byId.get(edited.id)).toMatchObject({ body: 'final', seq: edited.seq });
    expect(byId.get(edited.id)?.editedAt).toBeTruthy();
    expect(byId.get(fresh.id)).toMatchObject({ body: null, seq: fresh.seq });
    expect(byId.get(fresh.id)?.deletedAt).toBeTruthy();
    expect(byId.has(kept.id)).toBe(false);
    // Each message once, in its latest state, and nothing from the chat alice left.
    expect(synced.messages.filter((m) => m.id === edited.id)).toHaveLength(1);
    expect(synced.messages.map((m) => m.chatId).sort()).toEqual([dm, dm, joined].sort());
    expect(synced.chats.map((c) => c.id)).toContain(joined);
    expect(synced.chats.map((c) => c.id)).not.toContain(doomed);
    expect(synced.removedChatIds).toEqual([doomed]);

    // The rest of the group sees the membership change as the chat's new state.
    const carolView = await syncUntil(carol, since, (c) => c.chats.some((x) => x.id === doomed && x.members.length === 1));
    expect(carolView.removedChatIds).toEqual([]);

    // Nothing new since the returned cursor.
    const after = await drain(alice, synced.cursor);
    expect(after).toMatchObject({ messages: [], chats: [], removedChatIds: [] });
  });

  it('pages through many changes with hasMore, each change once and in order', async () => {
    const alice = await user();
    const bob = await user();
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
    const since = await now(bob);
    const sent = [];
    for (let i = 0; i < 7; i++) sent.push(await say(alice, chatId, `m${i}`));

    const synced = await syncUntil(bob, since, (c) => c.messages.length >= 7, 3);
    expect(synced.messages.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(synced.pages).toBeGreaterThanOrEqual(3);
  });

  it('shows a chat left and joined again as a chat, not as removed', async () => {
    const alice = await user();
    const bob = await user();
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'back', memberIds: [bob.id] }, throwOnError: true })).data.id;
    const since = await now(bob);
    await sdk.removeChatMember({ client: bob.client, path: { chatId, userId: bob.id }, throwOnError: true });
    await sdk.addChatMember({ client: alice.client, path: { chatId }, body: { userId: bob.id }, throwOnError: true });

    const synced = await syncUntil(bob, since, (c) => c.chats.some((x) => x.id === chatId));
    expect(synced.removedChatIds).toEqual([]);
  });

  it('never returns chats or messages of other people', async () => {
    const alice = await user();
    const bob = await user();
    const eve = await user();
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
    const since = await now(eve);
    await say(alice, chatId, 'private');
    await say(bob, chatId, 'also private');
    const cursorAfter = await syncUntil(alice, since, (c) => c.messages.length === 2);
    expect(cursorAfter.messages).toHaveLength(2);

    const synced = await drain(eve, since);
    expect(synced).toMatchObject({ messages: [], chats: [], removedChatIds: [] });
  });
});

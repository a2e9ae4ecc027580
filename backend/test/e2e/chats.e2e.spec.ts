import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';

describe('chats over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
  const group = async (owner: TestUser, members: TestUser[], title = 'Team') =>
    (await sdk.createChat({ client: owner.client, body: { type: 'group', title, memberIds: members.map((m) => m.id) }, throwOnError: true })).data;
  const roles = async (viewer: TestUser, chatId: string) =>
    Object.fromEntries((await sdk.getChat({ client: viewer.client, path: { chatId }, throwOnError: true })).data.members.map((m) => [m.userId, m.role]));
  const send = (user: TestUser, chatId: string, body: string) =>
    sdk.sendMessage({ client: user.client, path: { chatId }, body: { clientId: randomUUID(), body }, throwOnError: true }).then((r) => r.data);

  describe('direct chats', () => {
    it('creates the pair once: 201, then 200 with the same id from either side', async () => {
      const [alice, bob] = await users(2);
      const first = await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id } });
      expect(first.response.status).toBe(201);
      expect(first.data).toMatchObject({ type: 'direct', title: null });
      expect(first.data!.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id].sort());

      const fromBob = await sdk.createChat({ client: bob.client, body: { type: 'direct', userId: alice.id } });
      const again = await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id } });
      expect(fromBob.response.status).toBe(200);
      expect(again.response.status).toBe(200);
      expect(fromBob.data!.id).toBe(first.data!.id);
      expect(again.data!.id).toBe(first.data!.id);
    });

    it('yields one chat when both sides open it at the same moment', async () => {
      const [alice, bob] = await users(2);
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id } })),
        ...Array.from({ length: 5 }, () => sdk.createChat({ client: bob.client, body: { type: 'direct', userId: alice.id } })),
      ]);
      expect(new Set(results.map((r) => r.data!.id)).size).toBe(1);
      expect(results.filter((r) => r.response.status === 201)).toHaveLength(1);
      const list = await sdk.listChats({ client: alice.client, throwOnError: true });
      expect(list.data.items.filter((c) => c.type === 'direct')).toHaveLength(1);
    });

    it('refuses a direct chat with yourself (400) and with nobody (404)', async () => {
      const [alice] = await users(1);
      await expectError(sdk.createChat({ client: alice.client, body: { type: 'direct', userId: alice.id } }), 400, 'userId');
      await expectError(sdk.createChat({ client: alice.client, body: { type: 'direct', userId: randomUUID() } }), 404);
    });

    it('cannot be left', async () => {
      const [alice, bob] = await users(2);
      const chat = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data;
      await expectError(sdk.removeChatMember({ client: alice.client, path: { chatId: chat.id, userId: alice.id } }), 400);
      await expectError(sdk.removeChatMember({ client: alice.client, path: { chatId: chat.id, userId: bob.id } }), 400);
    });
  });

  describe('groups', () => {
    it('creates a group: 201, creator is owner, the others are members', async () => {
      const [alice, bob, carol] = await users(3);
      const res = await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'Launch', memberIds: [bob.id, carol.id] } });
      expect(res.response.status).toBe(201);
      expect(res.data).toMatchObject({ type: 'group', title: 'Launch', createdBy: alice.id, lastMessageSeq: 0, unreadCount: 0, lastMessage: null });
      expect(await roles(bob, res.data!.id)).toEqual({ [alice.id]: 'owner', [bob.id]: 'member', [carol.id]: 'member' });
    });

    it('refuses unknown member ids with 400 naming memberIds', async () => {
      const [alice] = await users(1);
      await expectError(
        sdk.createChat({ client: alice.client, body: { type: 'group', title: 'x', memberIds: [randomUUID()] } }),
        400,
        'memberIds',
      );
    });

    it('lets the owner add a person, who then sees the chat', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await group(alice, [bob]);
      const res = await sdk.addChatMember({ client: alice.client, path: { chatId: chat.id }, body: { userId: carol.id } });
      expect(res.response.status).toBe(200);
      expect(res.data!.members.map((m) => m.userId)).toContain(carol.id);
      expect((await roles(carol, chat.id))[carol.id]).toBe('member');
      const list = await sdk.listChats({ client: carol.client, throwOnError: true });
      expect(list.data.items.map((c) => c.id)).toContain(chat.id);
    });

    it('forbids a plain member from adding or removing people', async () => {
      const [alice, bob, carol, dave] = await users(4);
      const chat = await group(alice, [bob, carol]);
      await expectError(sdk.addChatMember({ client: bob.client, path: { chatId: chat.id }, body: { userId: dave.id } }), 403);
      await expectError(sdk.removeChatMember({ client: bob.client, path: { chatId: chat.id, userId: carol.id } }), 403);
      expect(Object.keys(await roles(alice, chat.id))).toHaveLength(3);
    });

    it('lets the owner remove a member, who then gets 404 for the chat', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await group(alice, [bob, carol]);
      const res = await sdk.removeChatMember({ client: alice.client, path: { chatId: chat.id, userId: carol.id } });
      expect(res.response.status).toBe(204);
      await expectError(sdk.getChat({ client: carol.client, path: { chatId: chat.id } }), 404);
      await expectError(sdk.removeChatMember({ client: alice.client, path: { chatId: chat.id, userId: carol.id } }), 404);
    });

    it('forbids anyone from removing the owner', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      await expectError(sdk.removeChatMember({ client: bob.client, path: { chatId: chat.id, userId: alice.id } }), 403);
    });

    it('lets a member leave', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const res = await sdk.removeChatMember({ client: bob.client, path: { chatId: chat.id, userId: bob.id } });
      expect(res.response.status).toBe(204);
      await expectError(sdk.getChat({ client: bob.client, path: { chatId: chat.id } }), 404);
      expect(Object.keys(await roles(alice, chat.id))).toEqual([alice.id]);
    });

    it('passes ownership on when the owner leaves, so the group stays manageable', async () => {
      const [alice, bob, carol, dave] = await users(4);
      const chat = await group(alice, [bob, carol]);
      await sdk.removeChatMember({ client: alice.client, path: { chatId: chat.id, userId: alice.id }, throwOnError: true });
      const after = await roles(bob, chat.id);
      expect(after[alice.id]).toBeUndefined();
      expect(Object.values(after).filter((r) => r === 'owner')).toHaveLength(1);
      const heir = Object.keys(after).find((id) => after[id] === 'owner');
      const heirClient = heir === bob.id ? bob : carol;
      const added = await sdk.addChatMember({ client: heirClient.client, path: { chatId: chat.id }, body: { userId: dave.id } });
      expect(added.response.status).toBe(200);
    });

    it('refuses adding members to a direct chat', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data;
      await expectError(sdk.addChatMember({ client: alice.client, path: { chatId: chat.id }, body: { userId: carol.id } }), 400);
    });
  });

  describe('GET /chats and read markers', () => {
    it('lists my chats with members, the last message and how many I have not read', async () => {
      const [alice, bob, stranger] = await users(3);
      const chat = await group(alice, [bob], 'Unread');
      await send(alice, chat.id, 'from alice');
      await send(bob, chat.id, 'bob 1');
      await send(bob, chat.id, 'bob 2');

      const aliceView = (await sdk.listChats({ client: alice.client, throwOnError: true })).data.items.find((c) => c.id === chat.id)!;
      expect(aliceView.members.map((m) => m.user.username).sort()).toEqual([alice.username, bob.username].sort());
      expect(aliceView.lastMessage).toMatchObject({ seq: 3, body: 'bob 2', senderId: bob.id });
      expect(aliceView.lastMessageSeq).toBe(3);
      expect(aliceView.unreadCount).toBe(2);

      const bobView = (await sdk.listChats({ client: bob.client, throwOnError: true })).data.items.find((c) => c.id === chat.id)!;
      expect(bobView.unreadCount).toBe(0);

      const strangers = (await sdk.listChats({ client: stranger.client, throwOnError: true })).data.items;
      expect(strangers.map((c) => c.id)).not.toContain(chat.id);
    });

    it('orders chats by latest activity', async () => {
      const [alice, bob] = await users(2);
      const older = await group(alice, [bob], 'older');
      const newer = await group(alice, [bob], 'newer');
      await send(bob, older.id, 'bump');
      const ids = (await sdk.listChats({ client: alice.client, throwOnError: true })).data.items.map((c) => c.id);
      expect(ids.indexOf(older.id)).toBeLessThan(ids.indexOf(newer.id));
    });

    it('moves the read marker forward only, and never past the newest message', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      for (let i = 0; i < 5; i++) await send(alice, chat.id, `m${i}`);
      const marker = async () => (await sdk.getChat({ client: bob.client, path: { chatId: chat.id }, throwOnError: true })).data;

      const read = await sdk.markChatRead({ client: bob.client, path: { chatId: chat.id }, body: { seq: 3 } });
      expect(read.response.status).toBe(204);
      expect((await marker()).unreadCount).toBe(2);

      await sdk.markChatRead({ client: bob.client, path: { chatId: chat.id }, body: { seq: 1 }, throwOnError: true });
      expect((await marker()).members.find((m) => m.userId === bob.id)!.lastReadSeq).toBe(3);

      await sdk.markChatRead({ client: bob.client, path: { chatId: chat.id }, body: { seq: 1000 }, throwOnError: true });
      const final = await marker();
      expect(final.members.find((m) => m.userId === bob.id)!.lastReadSeq).toBe(5);
      expect(final.unreadCount).toBe(0);
    });

    it('lists each chat exactly as GET /chats/:id shows it: members, newest message, unread count, edits and deletions', async () => {
      const [alice, bob, carol] = await users(3);
      const team = await group(alice, [bob, carol], 'Same view');
      const direct = (await sdk.createChat({ client: bob.client, body: { type: 'direct', userId: alice.id }, throwOnError: true })).data;
      const empty = await group(alice, [carol], 'Nothing yet');
      await send(bob, team.id, 'first');
      const last = await send(carol, team.id, 'second');
      await sdk.editMessage({ client: carol.client, path: { id: last.id }, body: { body: 'second, edited' }, throwOnError: true });
      const gone = await send(bob, direct.id, 'to be deleted');
      await sdk.deleteMessage({ client: bob.client, path: { id: gone.id }, throwOnError: true });

      const listed = (await sdk.listChats({ client: alice.client, throwOnError: true })).data.items;
      expect(listed.map((c) => c.id)).toEqual(expect.arrayContaining([team.id, direct.id, empty.id]));
      for (const chat of listed) {
        const single = (await sdk.getChat({ client: alice.client, path: { chatId: chat.id }, throwOnError: true })).data;
        expect(chat).toEqual(single);
      }
      const teamView = listed.find((c) => c.id === team.id)!;
      expect(teamView.lastMessage).toMatchObject({ body: 'second, edited', seq: 2 });
      expect(teamView.lastMessage!.editedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(listed.find((c) => c.id === direct.id)!.lastMessage).toMatchObject({ body: null, attachments: [] });
      expect(listed.find((c) => c.id === empty.id)!.lastMessage).toBeNull();
    });
  });
});

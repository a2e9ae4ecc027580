import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError, type ClientResult } from '../helpers/expect-error';

/**
 * A person outside a chat learns nothing about it: every route that takes a chat or message id answers
 * exactly as it would for an id that does not exist, and changes nothing.
 */
describe('a non-member gets 404 for everything in a chat', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let outsider: TestUser;
  let groupId: string;
  let directId: string;
  let messageId: string;
  let directMessageId: string;

  beforeAll(async () => {
    t = await startApp();
    [alice, bob, outsider] = await Promise.all([registerUser(t.url), registerUser(t.url), registerUser(t.url)]);
    groupId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'Private', memberIds: [bob.id] }, throwOnError: true })).data.id;
    directId = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data.id;
    messageId = (await sdk.sendMessage({ client: bob.client, path: { chatId: groupId }, body: { clientId: 'g1', body: 'secret' }, throwOnError: true })).data.id;
    directMessageId = (
      await sdk.sendMessage({ client: bob.client, path: { chatId: directId }, body: { clientId: 'd1', body: 'secret' }, throwOnError: true })
    ).data.id;
  });
  afterAll(() => t.close());

  /** The outsider's answer equals the answer for a random id, so existence does not leak. */
  async function expectHidden(call: (id: string) => Promise<ClientResult>, realId: () => string) {
    const hidden = await expectError(call(realId()), 404);
    const missing = await expectError(call(randomUUID()), 404);
    expect(hidden).toEqual(missing);
    expect(JSON.stringify(hidden)).not.toContain('secret');
  }

  const unchanged = async () => {
    const chat = (await sdk.getChat({ client: alice.client, path: { chatId: groupId }, throwOnError: true })).data;
    expect(chat.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id].sort());
    expect(chat.lastMessageSeq).toBe(1);
    const [message] = (await sdk.listMessages({ client: alice.client, path: { chatId: groupId }, throwOnError: true })).data.items;
    expect(message).toMatchObject({ id: messageId, body: 'secret', editedAt: null, deletedAt: null });
  };

  it('GET /chats/:chatId', async () => {
    await expectHidden((chatId) => sdk.getChat({ client: outsider.client, path: { chatId } }), () => groupId);
    await expectHidden((chatId) => sdk.getChat({ client: outsider.client, path: { chatId } }), () => directId);
  });

  it('POST /chats/:chatId/members (adding yourself)', async () => {
    await expectHidden((chatId) => sdk.addChatMember({ client: outsider.client, path: { chatId }, body: { userId: outsider.id } }), () => groupId);
    await unchanged();
  });

  it('DELETE /chats/:chatId/members/:userId (removing a member)', async () => {
    await expectHidden((chatId) => sdk.removeChatMember({ client: outsider.client, path: { chatId, userId: bob.id } }), () => groupId);
    await unchanged();
  });

  it('DELETE /chats/:chatId/members/:userId (leaving)', async () => {
    await expectHidden((chatId) => sdk.removeChatMember({ client: outsider.client, path: { chatId, userId: outsider.id } }), () => groupId);
  });

  it('POST /chats/:chatId/read', async () => {
    await expectHidden((chatId) => sdk.markChatRead({ client: outsider.client, path: { chatId }, body: { seq: 1 } }), () => groupId);
  });

  it('POST /chats/:chatId/messages', async () => {
    await expectHidden(
      (chatId) => sdk.sendMessage({ client: outsider.client, path: { chatId }, body: { clientId: randomUUID(), body: 'intrusion' } }),
      () => groupId,
    );
    await expectHidden(
      (chatId) => sdk.sendMessage({ client: outsider.client, path: { chatId }, body: { clientId: randomUUID(), body: 'intrusion' } }),
      () => directId,
    );
    await unchanged();
  });

  it('POST /chats/:chatId/messages with a replyToId from that chat', async () => {
    await expectHidden(
      (chatId) =>
        sdk.sendMessage({ client: outsider.client, path: { chatId }, body: { clientId: randomUUID(), body: 'x', replyToId: messageId } }),
      () => groupId,
    );
  });

  it('GET /chats/:chatId/messages', async () => {
    await expectHidden((chatId) => sdk.listMessages({ client: outsider.client, path: { chatId } }), () => groupId);
    await expectHidden((chatId) => sdk.listMessages({ client: outsider.client, path: { chatId }, query: { after: 0 } }), () => directId);
    // Every page shape checks membership in its own statement.
    await expectHidden((chatId) => sdk.listMessages({ client: outsider.client, path: { chatId }, query: { before: 2 } }), () => groupId);
    await expectHidden((chatId) => sdk.listMessages({ client: outsider.client, path: { chatId }, query: { around: 1 } }), () => groupId);
  });

  it('an empty page is not mistaken for a hidden chat: a member of a chat without messages gets 200 and no items', async () => {
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'Quiet', memberIds: [] }, throwOnError: true })).data.id;
    for (const query of [{}, { before: 5 }, { after: 0 }, { around: 3 }]) {
      const page = await sdk.listMessages({ client: alice.client, path: { chatId }, query, throwOnError: true });
      expect(page.data.items).toEqual([]);
      await expectError(sdk.listMessages({ client: outsider.client, path: { chatId }, query }), 404);
    }
  });

  it('PATCH /messages/:id', async () => {
    await expectHidden((id) => sdk.editMessage({ client: outsider.client, path: { id }, body: { body: 'defaced' } }), () => messageId);
    await expectHidden((id) => sdk.editMessage({ client: outsider.client, path: { id }, body: { body: 'defaced' } }), () => directMessageId);
    await unchanged();
  });

  it('DELETE /messages/:id', async () => {
    await expectHidden((id) => sdk.deleteMessage({ client: outsider.client, path: { id } }), () => messageId);
    await expectHidden((id) => sdk.deleteMessage({ client: outsider.client, path: { id } }), () => directMessageId);
    await unchanged();
  });

  it('GET /chats does not list it', async () => {
    const items = (await sdk.listChats({ client: outsider.client, throwOnError: true })).data.items;
    expect(items.map((c) => c.id)).not.toContain(groupId);
    expect(items.map((c) => c.id)).not.toContain(directId);
  });

  it('a removed member loses access like any outsider', async () => {
    const carol = await registerUser(t.url);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'Temp', memberIds: [carol.id] }, throwOnError: true })).data.id;
    const mine = (await sdk.sendMessage({ client: carol.client, path: { chatId }, body: { clientId: 'c1', body: 'before' }, throwOnError: true })).data;
    await sdk.removeChatMember({ client: alice.client, path: { chatId, userId: carol.id }, throwOnError: true });

    await expectError(sdk.getChat({ client: carol.client, path: { chatId } }), 404);
    await expectError(sdk.listMessages({ client: carol.client, path: { chatId } }), 404);
    await expectError(sdk.sendMessage({ client: carol.client, path: { chatId }, body: { clientId: 'c2', body: 'after' } }), 404);
    // Even her own earlier message is out of reach now.
    await expectError(sdk.editMessage({ client: carol.client, path: { id: mine.id }, body: { body: 'edited' } }), 404);
    await expectError(sdk.deleteMessage({ client: carol.client, path: { id: mine.id } }), 404);
  });

  it('every route needs a signed-in user', async () => {
    const nobody = anonymous(t.url);
    await expectError(sdk.listChats({ client: nobody }), 401);
    await expectError(sdk.getChat({ client: nobody, path: { chatId: groupId } }), 401);
    await expectError(sdk.listMessages({ client: nobody, path: { chatId: groupId } }), 401);
    await expectError(sdk.sendMessage({ client: nobody, path: { chatId: groupId }, body: { clientId: 'x', body: 'x' } }), 401);
    await expectError(sdk.deleteMessage({ client: nobody, path: { id: messageId } }), 401);
    await expectError(sdk.searchUsers({ client: nobody }), 401);
  });
});

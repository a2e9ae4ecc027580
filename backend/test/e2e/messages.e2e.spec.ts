import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk, type TestUser, sentNow } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError } from '../helpers/expect-error';

describe('messages over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
  const group = async (owner: TestUser, members: TestUser[]) =>
    (await sdk.createChat({ client: owner.client, body: { type: 'group', title: 'Msgs', memberIds: members.map((m) => m.id) }, throwOnError: true })).data;
  const send = (user: TestUser, chatId: string, body: string, clientId = randomUUID()) =>
    sdk.sendMessage({ client: user.client, path: { chatId }, body: { clientId, body }, throwOnError: true }).then((r) => sentNow(r.data));
  const list = (user: TestUser, chatId: string, query: { limit?: number; before?: number; after?: number } = {}) =>
    sdk.listMessages({ client: user.client, path: { chatId }, query, throwOnError: true }).then((r) => r.data.items);

  describe('POST /chats/:chatId/messages', () => {
    it('stores the message: 201 with its seq, visible to the other member', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const res = await sdk.sendMessage({ client: alice.client, path: { chatId: chat.id }, body: { clientId: 'k1', body: 'Hello Bob' } });
      expect(res.response.status).toBe(201);
      expect(res.data).toMatchObject({ chatId: chat.id, seq: 1, senderId: alice.id, clientId: 'k1', body: 'Hello Bob', editedAt: null, deletedAt: null });
      expect((await list(bob, chat.id)).map((m) => m.body)).toEqual(['Hello Bob']);
    });

    it('returns the stored message for a repeated clientId, never a second row', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const first = await sdk.sendMessage({ client: alice.client, path: { chatId: chat.id }, body: { clientId: 'retry-1', body: 'once' } });
      const retry = await sdk.sendMessage({ client: alice.client, path: { chatId: chat.id }, body: { clientId: 'retry-1', body: 'once' } });
      const retryEdited = await sdk.sendMessage({ client: alice.client, path: { chatId: chat.id }, body: { clientId: 'retry-1', body: 'changed?' } });
      expect(first.response.status).toBe(201);
      expect([200, 201]).toContain(retry.response.status);
      expect(retry.data!.id).toBe(first.data!.id);
      expect(retryEdited.data).toMatchObject({ id: first.data!.id, body: 'once', seq: 1 });
      expect(await list(bob, chat.id)).toHaveLength(1);

      // The key is the sender's: someone else may use the same clientId.
      const bobs = await sdk.sendMessage({ client: bob.client, path: { chatId: chat.id }, body: { clientId: 'retry-1', body: 'mine' } });
      expect(bobs.response.status).toBe(201);
      expect(sentNow(bobs.data).seq).toBe(2);
    });

    it('stores one row when the same clientId is retried in parallel', async () => {
      const [alice] = await users(1);
      const chat = await group(alice, []);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => sdk.sendMessage({ client: alice.client, path: { chatId: chat.id }, body: { clientId: 'burst', body: 'x' } })),
      );
      expect(results.every((r) => r.response.status < 300)).toBe(true);
      expect(new Set(results.map((r) => r.data!.id)).size).toBe(1);
      expect(await list(alice, chat.id)).toHaveLength(1);
      await send(alice, chat.id, 'next');
      expect((await list(alice, chat.id)).map((m) => m.seq)).toEqual([2, 1]);
    });

    it('accepts a reply to a message of the same chat, and refuses one from another chat', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const other = await group(alice, []);
      const original = await send(alice, chat.id, 'question');
      const elsewhere = await send(alice, other.id, 'elsewhere');
      const reply = await sdk.sendMessage({ client: bob.client, path: { chatId: chat.id }, body: { clientId: 'r1', body: 'answer', replyToId: original.id } });
      expect(reply.response.status).toBe(201);
      expect(reply.data!.replyToId).toBe(original.id);
      await expectError(
        sdk.sendMessage({ client: alice.client, path: { chatId: chat.id }, body: { clientId: 'r2', body: 'x', replyToId: elsewhere.id } }),
        400,
        'replyToId',
      );
    });

    it('stores and returns text verbatim, markup and unicode included', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const text = `<script>alert("x")</script> &amp; <b>bold</b> ' " \\ \u00e9\u0301 日本語 👩‍👩‍👧 \u200b \r\n\ttabbed   spaced  `;
      const sent = await send(alice, chat.id, text);
      expect(sent.body).toBe(text);
      const [stored] = await list(bob, chat.id);
      expect(stored.body).toBe(text);
      expect(Buffer.from(stored.body!, 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
    });

    it('accepts exactly 4000 characters', async () => {
      const [alice] = await users(1);
      const chat = await group(alice, []);
      const res = await sdk.sendMessage({ client: alice.client, path: { chatId: chat.id }, body: { clientId: 'long', body: 'ж'.repeat(4000) } });
      expect(res.response.status).toBe(201);
      expect(res.data!.body).toHaveLength(4000);
    });
  });

  describe('GET /chats/:chatId/messages', () => {
    let alice: TestUser;
    let chatId: string;
    beforeAll(async () => {
      [alice] = await users(1);
      chatId = (await group(alice, [])).id;
      for (let i = 1; i <= 60; i++) await send(alice, chatId, `n${i}`);
    });

    const seqs = (items: Array<{ seq: number }>) => items.map((m) => m.seq);
    const span = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from < to ? from + i : from - i));

    it('without a cursor: the newest 50, newest first', async () => {
      expect(seqs(await list(alice, chatId))).toEqual(span(60, 11));
    });

    it('with limit: the newest n', async () => {
      expect(seqs(await list(alice, chatId, { limit: 3 }))).toEqual([60, 59, 58]);
    });

    it('with before: older ones, newest first', async () => {
      expect(seqs(await list(alice, chatId, { before: 10, limit: 4 }))).toEqual([9, 8, 7, 6]);
      expect(seqs(await list(alice, chatId, { before: 3 }))).toEqual([2, 1]);
    });

    it('with after: newer ones, oldest first', async () => {
      expect(seqs(await list(alice, chatId, { after: 55 }))).toEqual([56, 57, 58, 59, 60]);
      expect(seqs(await list(alice, chatId, { after: 0, limit: 3 }))).toEqual([1, 2, 3]);
      expect(await list(alice, chatId, { after: 60 })).toEqual([]);
    });

    it('allows a limit of up to 200 and refuses 201 or 0 naming limit', async () => {
      expect(await list(alice, chatId, { limit: 200 })).toHaveLength(60);
      await expectError(sdk.listMessages({ client: alice.client, path: { chatId }, query: { limit: 201 } }), 400, 'limit');
      await expectError(sdk.listMessages({ client: alice.client, path: { chatId }, query: { limit: 0 } }), 400, 'limit');
    });

    it('refuses before and after together', async () => {
      await expectError(sdk.listMessages({ client: alice.client, path: { chatId }, query: { before: 10, after: 2 } }), 400, 'before');
    });
  });

  describe('PATCH /messages/:id', () => {
    it('lets the author edit: 200 with the new text and an edit time', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const message = await send(alice, chat.id, 'tpyo');
      const res = await sdk.editMessage({ client: alice.client, path: { id: message.id }, body: { body: 'typo' } });
      expect(res.response.status).toBe(200);
      expect(res.data).toMatchObject({ id: message.id, seq: message.seq, body: 'typo', editedAt: expect.any(String) });
      expect((await list(bob, chat.id))[0].body).toBe('typo');
    });

    it('forbids anyone else, the group owner included', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const message = await send(bob, chat.id, 'bob wrote this');
      await expectError(sdk.editMessage({ client: alice.client, path: { id: message.id }, body: { body: 'alice did' } }), 403);
      expect((await list(bob, chat.id))[0].body).toBe('bob wrote this');
    });
  });

  describe('DELETE /messages/:id', () => {
    it('lets the author delete: 204, then the text is no longer served anywhere', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const message = await send(bob, chat.id, 'regret');
      const res = await sdk.deleteMessage({ client: bob.client, path: { id: message.id } });
      expect(res.response.status).toBe(204);
      const [stored] = await list(alice, chat.id);
      expect(stored).toMatchObject({ id: message.id, seq: message.seq, body: null, deletedAt: expect.any(String) });
      const chatView = (await sdk.getChat({ client: alice.client, path: { chatId: chat.id }, throwOnError: true })).data;
      expect(chatView.lastMessage).toMatchObject({ id: message.id, body: null });
      expect(JSON.stringify(chatView)).not.toContain('regret');
      await expectError(sdk.editMessage({ client: bob.client, path: { id: message.id }, body: { body: 'undo' } }), 404);
    });

    it('lets a group owner delete another member’s message', async () => {
      const [alice, bob] = await users(2);
      const chat = await group(alice, [bob]);
      const message = await send(bob, chat.id, 'spam');
      expect((await sdk.deleteMessage({ client: alice.client, path: { id: message.id } })).response.status).toBe(204);
      expect((await list(bob, chat.id))[0].body).toBeNull();
    });

    it('forbids a plain member from deleting another member’s message', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await group(alice, [bob, carol]);
      const message = await send(carol, chat.id, 'mine');
      await expectError(sdk.deleteMessage({ client: bob.client, path: { id: message.id } }), 403);
      expect((await list(bob, chat.id))[0].body).toBe('mine');
    });

    it('forbids the other person in a direct chat from deleting my message', async () => {
      const [alice, bob] = await users(2);
      const chat = (await sdk.createChat({ client: alice.client, body: { type: 'direct', userId: bob.id }, throwOnError: true })).data;
      const message = await send(alice, chat.id, 'keep');
      await expectError(sdk.deleteMessage({ client: bob.client, path: { id: message.id } }), 403);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, registerUser, sdk, type TestUser } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { expectError, type ClientResult } from '../helpers/expect-error';

/** Every malformed request gets a 4xx that names what is wrong; none may reach a 500. */
describe('bad input', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let chatId: string;
  let messageId: string;

  beforeAll(async () => {
    t = await startApp();
    [alice, bob] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
    chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'Inputs', memberIds: [bob.id] }, throwOnError: true })).data.id;
    messageId = (await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'seed', body: 'seed' }, throwOnError: true })).data.id;
  });
  afterAll(() => t.close());

  const account = () => ({ email: `${randomUUID().slice(0, 8)}@example.test`, username: `b${randomUUID().slice(0, 8)}`, password: 'long-enough-1' });
  const long = (n: number) => 'x'.repeat(n);

  type Case = [name: string, call: () => Promise<ClientResult>, field: string];
  const cases = (): Case[] => [
    // auth
    ['register: email of the wrong type', () => sdk.register({ client: anonymous(t.url), body: { ...account(), email: 42 as never } }), 'email'],
    ['register: password of the wrong type', () => sdk.register({ client: anonymous(t.url), body: { ...account(), password: ['a'] as never } }), 'password'],
    ['register: over-long display name', () => sdk.register({ client: anonymous(t.url), body: { ...account(), displayName: long(65) } }), 'displayName'],
    ['register: empty display name', () => sdk.register({ client: anonymous(t.url), body: { ...account(), displayName: '' } }), 'displayName'],
    ['register: unknown field', () => sdk.register({ client: anonymous(t.url), body: { ...account(), role: 'admin' } as never }), 'role'],
    ['login: missing login', () => sdk.login({ client: anonymous(t.url), body: { password: 'x' } as never }), 'login'],
    ['login: empty password', () => sdk.login({ client: anonymous(t.url), body: { login: 'someone', password: '' } }), 'password'],
    ['refresh: token of the wrong type', () => sdk.refresh({ client: anonymous(t.url), body: { refreshToken: 123 as never } }), 'refreshToken'],
    // chats
    ['createChat: unknown type', () => sdk.createChat({ client: alice.client, body: { type: 'channel' as never, title: 'x', memberIds: [] } }), 'type'],
    ['createChat: direct with a bad uuid', () => sdk.createChat({ client: alice.client, body: { type: 'direct', userId: 'bob' } }), 'userId'],
    ['createChat: direct without userId', () => sdk.createChat({ client: alice.client, body: { type: 'direct' } }), 'userId'],
    ['createChat: group without title', () => sdk.createChat({ client: alice.client, body: { type: 'group', memberIds: [] } }), 'title'],
    ['createChat: group with an empty title', () => sdk.createChat({ client: alice.client, body: { type: 'group', title: '', memberIds: [] } }), 'title'],
    ['createChat: group with a blank title', () => sdk.createChat({ client: alice.client, body: { type: 'group', title: '   ', memberIds: [] } }), 'title'],
    ['createChat: group with an over-long title', () => sdk.createChat({ client: alice.client, body: { type: 'group', title: long(129), memberIds: [] } }), 'title'],
    ['createChat: memberIds not an array', () => sdk.createChat({ client: alice.client, body: { type: 'group', title: 'x', memberIds: bob.id as never } }), 'memberIds'],
    ['createChat: memberIds with a bad uuid', () => sdk.createChat({ client: alice.client, body: { type: 'group', title: 'x', memberIds: ['nope'] } }), 'memberIds'],
    ['addChatMember: bad uuid in body', () => sdk.addChatMember({ client: alice.client, path: { chatId }, body: { userId: '123' } }), 'userId'],
    ['markChatRead: negative seq', () => sdk.markChatRead({ client: alice.client, path: { chatId }, body: { seq: -1 } }), 'seq'],
    ['markChatRead: seq as a string', () => sdk.markChatRead({ client: alice.client, path: { chatId }, body: { seq: '5' as never } }), 'seq'],
    ['markChatRead: fractional seq', () => sdk.markChatRead({ client: alice.client, path: { chatId }, body: { seq: 1.5 } }), 'seq'],
    ['markChatRead: seq beyond int4', () => sdk.markChatRead({ client: alice.client, path: { chatId }, body: { seq: 2 ** 31 } }), 'seq'],
    // messages
    ['sendMessage: empty body', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'e1', body: '' } }), 'body'],
    ['sendMessage: blank body', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'e2', body: ' \n\t ' } }), 'body'],
    ['sendMessage: 4001 characters', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'e3', body: long(4001) } }), 'body'],
    ['sendMessage: body of the wrong type', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'e4', body: { text: 'x' } as never } }), 'body'],
    ['sendMessage: missing clientId', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { body: 'x' } as never }), 'clientId'],
    ['sendMessage: over-long clientId', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: long(65), body: 'x' } }), 'clientId'],
    ['sendMessage: clientId with control characters', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'a\nb', body: 'x' } }), 'clientId'],
    ['sendMessage: bad replyToId', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'e5', body: 'x', replyToId: 'nope' } }), 'replyToId'],
    ['sendMessage: unknown field', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'e6', body: 'x', seq: 99 } as never }), 'seq'],
    ['editMessage: 4001 characters', () => sdk.editMessage({ client: alice.client, path: { id: messageId }, body: { body: long(4001) } }), 'body'],
    ['editMessage: empty body', () => sdk.editMessage({ client: alice.client, path: { id: messageId }, body: { body: '' } }), 'body'],
    ['editMessage: unknown field', () => sdk.editMessage({ client: alice.client, path: { id: messageId }, body: { body: 'x', senderId: bob.id } as never }), 'senderId'],
    // queries
    ['listMessages: limit of 201', () => sdk.listMessages({ client: alice.client, path: { chatId }, query: { limit: 201 } }), 'limit'],
    ['listMessages: limit not a number', () => sdk.listMessages({ client: alice.client, path: { chatId }, query: { limit: 'ten' as never } }), 'limit'],
    ['listMessages: before of 0', () => sdk.listMessages({ client: alice.client, path: { chatId }, query: { before: 0 } }), 'before'],
    ['listMessages: negative after', () => sdk.listMessages({ client: alice.client, path: { chatId }, query: { after: -1 } }), 'after'],
    ['listMessages: unknown query parameter', () => sdk.listMessages({ client: alice.client, path: { chatId }, query: { order: 'asc' } as never }), 'order'],
    ['searchUsers: limit over 100', () => sdk.searchUsers({ client: alice.client, query: { limit: 101 } }), 'limit'],
    ['searchUsers: negative offset', () => sdk.searchUsers({ client: alice.client, query: { offset: -1 } }), 'offset'],
    ['searchUsers: over-long search', () => sdk.searchUsers({ client: alice.client, query: { search: long(65) } }), 'search'],
    // path ids
    ['getChat: bad uuid in path', () => sdk.getChat({ client: alice.client, path: { chatId: 'not-a-uuid' } }), 'chatId'],
    ['sendMessage: bad uuid in path', () => sdk.sendMessage({ client: alice.client, path: { chatId: '1' }, body: { clientId: 'p1', body: 'x' } }), 'chatId'],
    ['listMessages: bad uuid in path', () => sdk.listMessages({ client: alice.client, path: { chatId: "1' OR '1'='1" } }), 'chatId'],
    ['markChatRead: bad uuid in path', () => sdk.markChatRead({ client: alice.client, path: { chatId: 'x' }, body: { seq: 1 } }), 'chatId'],
    ['addChatMember: bad uuid in path', () => sdk.addChatMember({ client: alice.client, path: { chatId: 'x' }, body: { userId: bob.id } }), 'chatId'],
    ['removeChatMember: bad user uuid in path', () => sdk.removeChatMember({ client: alice.client, path: { chatId, userId: 'bob' } }), 'userId'],
    ['editMessage: bad uuid in path', () => sdk.editMessage({ client: alice.client, path: { id: 'x' }, body: { body: 'x' } }), 'id'],
    ['deleteMessage: bad uuid in path', () => sdk.deleteMessage({ client: alice.client, path: { id: `${randomUUID()}x` } }), 'id'],
  ];

  it.each(cases().map(([name], i) => [name, i] as const))('%s → 400 naming the field', async (_name, i) => {
    const [, call, field] = cases()[i];
    const body = await expectError(call(), 400, field);
    expect(body.code).toMatch(/^(VALIDATION_FAILED|BAD_REQUEST)$/);
  });

  it('an id too long for the router → 414, not a 500', async () => {
    const res = await sdk.deleteMessage({ client: alice.client, path: { id: long(300) } });
    expect(res.response.status).toBe(414);
  });

  describe('bodies that are not a JSON object', () => {
    const send = (serialized: string) =>
      sdk.sendMessage({
        client: alice.client,
        path: { chatId },
        body: {} as never,
        bodySerializer: () => serialized,
        headers: { 'Content-Type': 'application/json' },
      });

    it('malformed JSON → 400 saying so', async () => {
      const body = await expectError(send('{"clientId": "x", "body": '), 400);
      expect(body.message).toMatch(/JSON/);
    });

    it('a JSON array → 400 naming the missing fields', async () => {
      const body = await expectError(send('[{"clientId":"x","body":"x"}]'), 400);
      expect(body.message).toContain('clientId');
    });

    it('a JSON string → 400 naming the missing fields', async () => {
      const body = await expectError(send('"hello"'), 400);
      expect(body.message).toContain('body');
    });

    it('JSON null and an empty body → 400', async () => {
      await expectError(send('null'), 400);
      await expectError(send(''), 400);
    });

    it('a form post instead of JSON → 415, and nothing stored', async () => {
      const res = await sdk.sendMessage({
        client: alice.client,
        path: { chatId },
        body: {} as never,
        bodySerializer: () => 'clientId=form&body=from+a+form',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(res.response.status).toBe(415);
    });

    it('plain text instead of JSON → 400 naming the missing fields', async () => {
      const res = await sdk.sendMessage({
        client: alice.client,
        path: { chatId },
        body: {} as never,
        bodySerializer: () => 'hello',
        headers: { 'Content-Type': 'text/plain' },
      });
      expect(res.response.status).toBe(400);
      expect((res.error as { message: string }).message).toContain('clientId');
    });

    it('a body over 1 MB → 413', async () => {
      const huge = JSON.stringify({ clientId: 'big', body: 'x'.repeat(1024 * 1024 + 1) });
      const body = await expectError(send(huge), 413);
      expect(body.message).toMatch(/too large/i);
      expect((await sdk.listMessages({ client: alice.client, path: { chatId }, throwOnError: true })).data.items).toHaveLength(1);
    });
  });

  describe('NUL characters, which PostgreSQL text cannot hold', () => {
    it.each([
      ['message body', () => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: 'nul1', body: 'a\u0000b' } }), 'body'],
      ['edited body', () => sdk.editMessage({ client: alice.client, path: { id: messageId }, body: { body: 'a\u0000b' } }), 'body'],
      ['group title', () => sdk.createChat({ client: alice.client, body: { type: 'group', title: 'a\u0000b', memberIds: [] } }), 'title'],
      ['display name', () => sdk.register({ client: anonymous(t.url), body: { ...account(), displayName: 'a\u0000b' } }), 'displayName'],
      ['login', () => sdk.login({ client: anonymous(t.url), body: { login: 'a\u0000b', password: 'whatever' } }), 'login'],
      ['user search', () => sdk.searchUsers({ client: alice.client, query: { search: 'a\u0000b' } }), 'search'],
    ] as const)('in the %s → 400 naming the field', async (_name, call, field) => {
      await expectError(call(), 400, field);
    });
  });

  it('left the seeded chat untouched', async () => {
    const items = (await sdk.listMessages({ client: alice.client, path: { chatId }, throwOnError: true })).data.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: messageId, body: 'seed' });
  });
});

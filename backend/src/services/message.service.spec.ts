import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthContext } from '@/core/auth';
import type { AppConfig } from '@/core/config';
import { ErrorCode } from '@/core/errors';
import { MessageHookRegistry, type TransactionQuery } from '@/core/message-hooks';
import type { MemberRole } from '@/models/chat-member.entity';
import type { ChatType } from '@/models/chat.entity';
import type { MessageEntity } from '@/models/message.entity';
import { ChatRepository } from '@/repositories/chat.repository';
import { EventRepository } from '@/repositories/event.repository';
import { type BeforeCommit, type InsertResult, MessageRepository } from '@/repositories/message.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { newTestService, stand } from '@test/unit/service';
import { MessageService } from './message.service';

const ids = {
  me: '00000000-0000-4000-8000-000000000001',
  bob: '00000000-0000-4000-8000-000000000002',
  chat: 'cccccccc-0000-4000-8000-000000000001',
  otherChat: 'cccccccc-0000-4000-8000-000000000002',
  msg: 'aaaaaaaa-0000-4000-8000-000000000001',
};
const me: AuthContext = { userId: ids.me, username: 'me', role: 'user' };

const config = { rateLimits: { messages: { limit: 3, windowSeconds: 60 } } } as AppConfig;

const message = (over: Partial<MessageEntity> = {}): MessageEntity => ({
  id: ids.msg,
  chatId: ids.chat,
  seq: 1,
  senderId: ids.me,
  senderContactId: null,
  clientId: 'c1',
  body: 'hello',
  replyToId: null,
  createdAt: new Date('2030-01-01T00:00:00Z'),
  editedAt: null,
  deletedAt: null,
  internal: false,
  delivery: null,
  ...over,
});

function setup() {
  const membership = { member: true, role: 'member' as MemberRole, type: 'group' as ChatType, hookedType: 'inbox' };
  let sends = 0;
  const messages = {
    insert: vi.fn(async (input: { chatId: string; clientId: string; body: string }): Promise<InsertResult> =>
      membership.member
        ? { status: 'created', message: message({ clientId: input.clientId, body: input.body }), memberIds: [ids.me, ids.bob] }
        : { status: 'not_member' },
    ),
    // Plays the repository's transaction: runs the hook with a stand-in handle and applies what it returns.
    insertInTransaction: vi.fn(async (input: { clientId: string; body: string }, _attachmentIds: string[], beforeCommit?: BeforeCommit): Promise<InsertResult> => {
      if (!membership.member) return { status: 'not_member' };
      const row = message({ clientId: input.clientId, body: input.body });
      const extra = await beforeCommit?.('tx' as unknown as TransactionQuery, membership.hookedType, row, []);
      return { status: 'created', message: { ...row, delivery: extra?.delivery ?? null }, memberIds: [ids.me, ids.bob] };
    }),
    existsInChat: vi.fn(async () => true),
    findById: vi.fn(async (): Promise<MessageEntity | null> => message()),
    // Like the statement: a page asked for a member is empty when they are not one.
    list: vi.fn(async (_chatId: string, page: { memberId?: string }) => (page.memberId && !membership.member ? [] : [message({ seq: 2 }), message({ seq: 1 })])),
    updateBody: vi.fn(async (_id: string, body: string) => message({ body, editedAt: new Date() })),
    softDelete: vi.fn(async () => message({ body: '', deletedAt: new Date() })),
  };
  const chats = {
    findForMember: vi.fn(async () => (membership.member ? { id: ids.chat, type: membership.type } : null)),
    findMember: vi.fn(async () => (membership.member ? { role: membership.role } : null)),
    memberIds: vi.fn(async () => [ids.me, ids.bob]),
  };
  const events = { emit: vi.fn() };
  const rateLimits = { reserve: vi.fn(async (_b: string, _id: string, _w: number, units: number) => ({ count: (sends += units), resetInMs: 16_500 })) };
  const hooks = new MessageHookRegistry();
  const service = newTestService(
    MessageService,
    [
      stand(MessageRepository, messages),
      stand(ChatRepository, chats),
      stand(EventRepository, events),
      stand(RateLimitRepository, rateLimits),
      stand(MessageHookRegistry, hooks as unknown as Record<string, unknown>),
    ],
    config,
  );
  return { service, messages, chats, events, rateLimits, hooks, membership };
}

describe('MessageService.send', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('stores the message in one statement and tells the members after the caller has its answer', async () => {
    const result = await s.service.send(me, ids.chat, { clientId: 'c1', body: 'hello' });
    expect(result).toMatchObject({ created: true, message: { seq: 1, body: 'hello', clientId: 'c1', internal: false } });
    expect(s.messages.insert).toHaveBeenCalledTimes(1);
    expect(s.messages.insertInTransaction).not.toHaveBeenCalled();
    expect(s.events.emit).not.toHaveBeenCalled();
    await new Promise((r) => setImmediate(r));
    expect(s.events.emit).toHaveBeenCalledWith('message.created', expect.objectContaining({ chatId: ids.chat, memberIds: [ids.me, ids.bob] }));
  });

  it('hands a message in a hooked chat type to the hook inside the transaction and stores what it returns', async () => {
    const beforeCommit = vi.fn(async () => ({ delivery: { state: 'queued' as const, updatedAt: '2030-01-01T00:00:00.000Z' } }));
    s.hooks.register('inbox', { beforeCommit });
    // The fast statement skips hooked chat types, so it finds no row.
    s.messages.insert.mockResolvedValueOnce({ status: 'not_member' });
    const result = await s.service.send(me, ids.chat, { clientId: 'c1', body: 'to the customer', internal: false });
    expect(s.messages.insert).toHaveBeenCalledWith(expect.objectContaining({ internal: false }), ['inbox']);
    expect(beforeCommit).toHaveBeenCalledWith('tx', { kind: 'created', message: expect.objectContaining({ id: ids.msg, attachments: [] }) });
    expect(result.message.delivery).toEqual({ state: 'queued', updatedAt: '2030-01-01T00:00:00.000Z' });
  });

  it('stores nothing when the hook refuses the message', async () => {
    s.hooks.register('inbox', { beforeCommit: async () => { throw new Error('refused'); } });
    s.messages.insert.mockResolvedValueOnce({ status: 'not_member' });
    await expect(s.service.send(me, ids.chat, { clientId: 'c1', body: 'x' })).rejects.toThrow('refused');
    await new Promise((r) => setImmediate(r));
    expect(s.events.emit).not.toHaveBeenCalled();
  });

  it('returns the stored message for a repeated clientId without a second event or count', async () => {
    s.messages.insert.mockResolvedValueOnce({ status: 'duplicate', message: message() });
    const result = await s.service.send(me, ids.chat, { clientId: 'c1', body: 'hello again' });
    expect(result).toMatchObject({ created: false, message: { id: ids.msg, body: 'hello' } });
    await new Promise((r) => setImmediate(r));
    expect(s.events.emit).not.toHaveBeenCalled();
  });

  it('refuses a clientId already used in another chat rather than leaking that message', async () => {
    s.messages.insert.mockResolvedValueOnce({ status: 'duplicate', message: message({ chatId: ids.otherChat, body: 'secret' }) });
    await expect(s.service.send(me, ids.chat, { clientId: 'c1', body: 'x' })).rejects.toMatchObject({
      code: ErrorCode.BadRequest,
      details: { fields: ['clientId'] },
    });
  });

  it('answers a non-member with NOT_FOUND', async () => {
    s.membership.member = false;
    await expect(s.service.send(me, ids.chat, { clientId: 'c1', body: 'x' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(s.service.send(me, ids.chat, { clientId: 'c2', body: 'x', replyToId: ids.msg })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    s.messages.existsInChat.mockResolvedValueOnce(false);
    await expect(s.service.send(me, ids.chat, { clientId: 'c3', body: 'x', replyToId: ids.msg })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('refuses a reply to a message of another chat with 400 naming replyToId', async () => {
    s.messages.existsInChat.mockResolvedValueOnce(false);
    await expect(s.service.send(me, ids.chat, { clientId: 'c1', body: 'x', replyToId: ids.msg })).rejects.toMatchObject({
      code: ErrorCode.BadRequest,
      details: { fields: ['replyToId'] },
    });
    expect(s.messages.insert).not.toHaveBeenCalled();
  });

  it('allows the configured sends per window, then 429 with a retry time and nothing stored', async () => {
    for (let i = 0; i < 3; i++) await s.service.send(me, ids.chat, { clientId: `c${i}`, body: 'x' });
    await expect(s.service.send(me, ids.chat, { clientId: 'c4', body: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      details: { retryAfterSeconds: 17 },
    });
    expect(s.rateLimits.reserve).toHaveBeenCalledWith('send', ids.me, 60, 1);
    expect(s.messages.insert).toHaveBeenCalledTimes(3);
  });

  it('stores sends while Redis is unreachable (unlimited for the outage), and limits again once it answers', async () => {
    const down = Object.assign(new Error('redis is not ready'), { name: 'RedisUnavailableError' });
    s.rateLimits.reserve.mockRejectedValueOnce(down).mockRejectedValueOnce(down);
    await expect(s.service.send(me, ids.chat, { clientId: 'o1', body: 'x' })).resolves.toMatchObject({ created: true });
    await expect(s.service.send(me, ids.chat, { clientId: 'o2', body: 'x' })).resolves.toMatchObject({ created: true });
    for (let i = 0; i < 3; i++) await s.service.send(me, ids.chat, { clientId: `b${i}`, body: 'x' });
    await expect(s.service.send(me, ids.chat, { clientId: 'b4', body: 'x' })).rejects.toMatchObject({ code: ErrorCode.RateLimited });
  });
});

describe('MessageService.list', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('pages 50 by default and passes the cursor through', async () => {
    await s.service.list(me, ids.chat, {});
    expect(s.messages.list).toHaveBeenLastCalledWith(ids.chat, { limit: 50, before: undefined, after: undefined, memberId: me.userId });
    await s.service.list(me, ids.chat, { limit: 200, before: 10 });
    expect(s.messages.list).toHaveBeenLastCalledWith(ids.chat, { limit: 200, before: 10, after: undefined, memberId: me.userId });
    // A full page needs no separate membership lookup: the page's statement checked it.
    expect(s.chats.findForMember).not.toHaveBeenCalled();
  });

  it('refuses before and after together, and a non-member', async () => {
    await expect(s.service.list(me, ids.chat, { before: 5, after: 1 })).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    expect(s.messages.list).not.toHaveBeenCalled();
    s.membership.member = false;
    await expect(s.service.list(me, ids.chat, {})).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(s.chats.findForMember).toHaveBeenCalledWith(ids.chat, me.userId);
  });

  it('never serves the text of a deleted message', async () => {
    s.messages.list.mockResolvedValueOnce([message({ body: 'was here', deletedAt: new Date() })]);
    const { items } = await s.service.list(me, ids.chat, {});
    expect(items[0].body).toBeNull();
  });
});

describe('MessageService.edit and delete', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('lets the author edit', async () => {
    const edited = await s.service.edit(me, ids.msg, { body: 'fixed' });
    expect(edited).toMatchObject({ body: 'fixed', editedAt: expect.any(String) });
    expect(s.events.emit).toHaveBeenCalledWith('message.updated', expect.anything());
  });

  it('forbids editing somebody else’s message, even as the group owner', async () => {
    s.membership.role = 'owner';
    s.messages.findById.mockResolvedValue(message({ senderId: ids.bob }));
    await expect(s.service.edit(me, ids.msg, { body: 'mine now' })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(s.messages.updateBody).not.toHaveBeenCalled();
  });

  it('does not edit a deleted message', async () => {
    s.messages.findById.mockResolvedValueOnce(message({ deletedAt: new Date() }));
    await expect(s.service.edit(me, ids.msg, { body: 'back' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('hides a message from a non-member exactly like a missing one', async () => {
    s.membership.member = false;
    const hidden = await s.service.edit(me, ids.msg, { body: 'x' }).catch((e: Error) => e);
    s.messages.findById.mockResolvedValueOnce(null);
    const missing = await s.service.edit(me, ids.msg, { body: 'x' }).catch((e: Error) => e);
    expect(hidden).toMatchObject({ code: ErrorCode.NotFound, message: (missing as Error).message });
    await expect(s.service.delete(me, ids.msg)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(s.messages.softDelete).not.toHaveBeenCalled();
  });

  it('lets the author delete', async () => {
    await s.service.delete(me, ids.msg);
    expect(s.messages.softDelete).toHaveBeenCalledWith(ids.msg, undefined);
    expect(s.events.emit).toHaveBeenCalledWith('message.deleted', expect.objectContaining({ message: expect.objectContaining({ body: null }) }));
  });

  it('lets a group owner or admin delete anyone’s message', async () => {
    s.messages.findById.mockResolvedValue(message({ senderId: ids.bob }));
    for (const role of ['owner', 'admin'] as const) {
      s.membership.role = role;
      await s.service.delete(me, ids.msg);
    }
    expect(s.messages.softDelete).toHaveBeenCalledTimes(2);
  });

  it('forbids a plain member, and anyone in a direct chat, from deleting another person’s message', async () => {
    s.messages.findById.mockResolvedValue(message({ senderId: ids.bob }));
    await expect(s.service.delete(me, ids.msg)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    s.membership.type = 'direct';
    s.membership.role = 'owner';
    await expect(s.service.delete(me, ids.msg)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(s.messages.softDelete).not.toHaveBeenCalled();
  });

  it('treats deleting an already deleted message as done', async () => {
    s.messages.findById.mockResolvedValueOnce(message({ deletedAt: new Date() }));
    await expect(s.service.delete(me, ids.msg)).resolves.toBeUndefined();
    expect(s.messages.softDelete).not.toHaveBeenCalled();
  });
});

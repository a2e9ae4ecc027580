import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthContext } from '@/core/auth';
import { ErrorCode } from '@/core/errors';
import type { ChatMemberEntity, MemberRole } from '@/models/chat-member.entity';
import { ChatRepository, type ChatWithMembership } from '@/repositories/chat.repository';
import { EventRepository } from '@/repositories/event.repository';
import { UserRepository } from '@/repositories/user.repository';
import { newTestService, stand } from '@test/unit/service';
import { ChatService, directKeyOf } from './chat.service';
import type { AppConfig } from '@/core/config';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';

const ids = {
  me: '00000000-0000-4000-8000-000000000001',
  bob: '00000000-0000-4000-8000-000000000002',
  carol: '00000000-0000-4000-8000-000000000003',
  chat: 'cccccccc-0000-4000-8000-000000000001',
};
const me: AuthContext = { userId: ids.me, username: 'me', role: 'user' };

const chatRow = (over: Partial<ChatWithMembership> = {}): ChatWithMembership => ({
  id: ids.chat,
  type: 'group',
  title: 'Team',
  createdBy: ids.me,
  directKey: null,
  lastMessageSeq: 7,
  lastMessageAt: null,
  createdAt: new Date('2030-01-01T00:00:00Z'),
  updatedAt: new Date('2030-01-01T00:00:00Z'),
  myLastReadSeq: 3,
  ...over,
});

function setup() {
  const roles = new Map<string, MemberRole>([
    [ids.me, 'owner'],
    [ids.bob, 'member'],
  ]);
  const chats = {
    findForMember: vi.fn(async (_chatId: string, userId: string) => (roles.has(userId) ? chatRow() : null)),
    findMember: vi.fn(async (chatId: string, userId: string): Promise<ChatMemberEntity | null> =>
      roles.has(userId) ? { chatId, userId, role: roles.get(userId)!, joinedAt: new Date(), lastReadSeq: 0 } : null,
    ),
    listForUser: vi.fn(async () => [chatRow()]),
    membersOf: vi.fn(async () =>
      [...roles].map(([userId, role]) => ({
        chatId: ids.chat,
        userId,
        role,
        joinedAt: new Date('2030-01-01T00:00:00Z'),
        lastReadSeq: 0,
        user: { id: userId, username: userId.slice(-1), displayName: 'x' },
      })),
    ),
    memberIds: vi.fn(async () => [...roles.keys()]),
    lastMessages: vi.fn(async () => []),
    findDirect: vi.fn(),
    createWithMembers: vi.fn(async (): Promise<ChatWithMembership | null> => chatRow()),
    addMember: vi.fn(async () => true),
    removeMember: vi.fn(async () => true),
    markRead: vi.fn(async (_c: string, userId: string, seq: number) => (roles.has(userId) ? { seq, moved: seq > 0 } : null)),
  };
  const users = {
    findById: vi.fn(async (id: string) => ({ id })),
    countExisting: vi.fn(async (list: string[]) => list.length),
  };
  const events = { emit: vi.fn() };
  const rateLimits = { hit: vi.fn(async () => ({ count: 1, retryAfterSeconds: 600 })) };
  const config = { rateLimits: { chats: { limit: 30, windowSeconds: 600 } } } as AppConfig;
  const service = newTestService(
    ChatService,
    [stand(ChatRepository, chats), stand(UserRepository, users), stand(EventRepository, events), stand(RateLimitRepository, rateLimits)],
    config,
  );
  return { rateLimits, service, chats, users, events, roles };
}

describe('ChatService access', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
    s.roles.delete(ids.me);
  });

  it('answers every chat route of a non-member with NOT_FOUND and changes nothing', async () => {
    const attempts = [
      s.service.get(me, ids.chat),
      s.service.addMember(me, ids.chat, { userId: ids.carol }),
      s.service.removeMember(me, ids.chat, ids.bob),
      s.service.removeMember(me, ids.chat, ids.me),
      s.service.markRead(me, ids.chat, 5),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ code: ErrorCode.NotFound, message: 'Chat not found' });
    expect(s.chats.addMember).not.toHaveBeenCalled();
    expect(s.chats.removeMember).not.toHaveBeenCalled();
    expect(s.events.emit).not.toHaveBeenCalled();
  });
});

describe('ChatService.create', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('makes the creator owner and everyone else member, each once', async () => {
    const { created } = await s.service.create(me, { type: 'group', title: '  Team  ', memberIds: [ids.bob, ids.bob, ids.me] });
    expect(created).toBe(true);
    expect(s.chats.createWithMembers).toHaveBeenCalledWith(
      { type: 'group', title: 'Team', createdBy: ids.me, directKey: null },
      [
        { userId: ids.me, role: 'owner' },
        { userId: ids.bob, role: 'member' },
      ],
    );
    expect(s.events.emit).toHaveBeenCalledWith('chat.created', expect.objectContaining({ memberIds: [ids.me, ids.bob] }));
  });

  it('refuses unknown members and a blank title with 400 naming the field', async () => {
    s.users.countExisting.mockResolvedValueOnce(0);
    await expect(s.service.create(me, { type: 'group', title: 'T', memberIds: [ids.carol] })).rejects.toMatchObject({
      code: ErrorCode.BadRequest,
      details: { fields: ['memberIds'] },
    });
    await expect(s.service.create(me, { type: 'group', title: '   ', memberIds: [] })).rejects.toMatchObject({
      code: ErrorCode.BadRequest,
      details: { fields: ['title'] },
    });
    expect(s.chats.createWithMembers).not.toHaveBeenCalled();
  });

  it('opens a direct chat once per pair: created first, then the same chat from either side', async () => {
    const direct = chatRow({ type: 'direct', directKey: directKeyOf(ids.me, ids.bob), title: null });
    s.chats.createWithMembers.mockResolvedValueOnce(direct).mockResolvedValueOnce(null);
    s.chats.findDirect.mockResolvedValue(direct);
    s.chats.findForMember.mockResolvedValue(direct);

    const first = await s.service.create(me, { type: 'direct', userId: ids.bob });
    const second = await s.service.create({ ...me, userId: ids.bob }, { type: 'direct', userId: ids.me });
    expect(first).toMatchObject({ created: true, chat: { id: ids.chat, type: 'direct' } });
    expect(second).toMatchObject({ created: false, chat: { id: ids.chat } });
    expect(s.chats.findDirect).toHaveBeenCalledWith(directKeyOf(ids.bob, ids.me));
    expect(directKeyOf(ids.me, ids.bob)).toBe(directKeyOf(ids.bob, ids.me));
    expect(s.events.emit).toHaveBeenCalledTimes(1);
  });

  it('refuses a direct chat with yourself (400) or with nobody (404)', async () => {
    await expect(s.service.create(me, { type: 'direct', userId: ids.me })).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    s.users.findById.mockResolvedValueOnce(null as never);
    await expect(s.service.create(me, { type: 'direct', userId: ids.carol })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});

describe('ChatService members', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('lets the owner or an admin add a person, and tells the members', async () => {
    for (const role of ['owner', 'admin'] as const) {
      s.roles.set(ids.me, role);
      await s.service.addMember(me, ids.chat, { userId: ids.carol });
    }
    expect(s.chats.addMember).toHaveBeenCalledWith(ids.chat, ids.carol, 'member');
    expect(s.events.emit).toHaveBeenCalledWith('member.added', expect.objectContaining({ chatId: ids.chat, userId: ids.carol }));
  });

  it('forbids a plain member from adding or removing others', async () => {
    s.roles.set(ids.me, 'member');
    s.roles.set(ids.carol, 'member');
    await expect(s.service.addMember(me, ids.chat, { userId: ids.carol })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(s.service.removeMember(me, ids.chat, ids.carol)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(s.chats.removeMember).not.toHaveBeenCalled();
  });

  it('does not add members to a direct chat, nor add a user who does not exist', async () => {
    s.chats.findForMember.mockResolvedValueOnce(chatRow({ type: 'direct' }));
    await expect(s.service.addMember(me, ids.chat, { userId: ids.carol })).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    s.users.findById.mockResolvedValueOnce(null as never);
    await expect(s.service.addMember(me, ids.chat, { userId: ids.carol })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('stays quiet when the person is already a member', async () => {
    s.chats.addMember.mockResolvedValueOnce(false);
    await s.service.addMember(me, ids.chat, { userId: ids.bob });
    expect(s.events.emit).not.toHaveBeenCalled();
  });

  it('lets an admin remove a member but not another admin or the owner; the owner may remove an admin', async () => {
    s.roles.set(ids.me, 'admin');
    s.roles.set(ids.carol, 'admin');
    await s.service.removeMember(me, ids.chat, ids.bob);
    expect(s.chats.removeMember).toHaveBeenLastCalledWith(ids.chat, ids.bob);
    await expect(s.service.removeMember(me, ids.chat, ids.carol)).rejects.toMatchObject({ code: ErrorCode.Forbidden });

    s.roles.set(ids.bob, 'owner');
    await expect(s.service.removeMember(me, ids.chat, ids.bob)).rejects.toMatchObject({ code: ErrorCode.Forbidden });

    s.roles.set(ids.me, 'owner');
    await s.service.removeMember(me, ids.chat, ids.carol);
    expect(s.chats.removeMember).toHaveBeenLastCalledWith(ids.chat, ids.carol);
  });

  it('answers removing someone who is not in the chat with 404', async () => {
    await expect(s.service.removeMember(me, ids.chat, ids.carol)).rejects.toMatchObject({ code: ErrorCode.NotFound, message: 'Member not found' });
  });

  it('lets any member leave a group, but nobody leave a direct chat', async () => {
    s.roles.set(ids.me, 'member');
    await s.service.removeMember(me, ids.chat, ids.me);
    expect(s.events.emit).toHaveBeenCalledWith('member.removed', { chatId: ids.chat, userId: ids.me, memberIds: [ids.me, ids.bob] });
    s.chats.findForMember.mockResolvedValueOnce(chatRow({ type: 'direct' }));
    await expect(s.service.removeMember(me, ids.chat, ids.me)).rejects.toMatchObject({ code: ErrorCode.BadRequest });
  });
});

describe('ChatService views', () => {
  it('lists chats with members, last message and the unread count after my marker', async () => {
    const s = setup();
    // The list's one statement hands members and the newest message over as JSON: timestamps are ISO strings.
    s.chats.listForUser.mockResolvedValueOnce([
      {
        ...chatRow(),
        activityAt: new Date(),
        members: [
          { userId: ids.me, role: 'owner', joinedAt: '2030-01-01T00:00:00.123456+00:00', lastReadSeq: 3, user: { id: ids.me, username: 'me', displayName: 'Me' } },
          { userId: ids.bob, role: 'member', joinedAt: '2030-01-02T00:00:00+00:00', lastReadSeq: 7, user: { id: ids.bob, username: 'bob', displayName: 'Bob' } },
        ],
        lastMessage: {
          id: 'm7',
          chatId: ids.chat,
          seq: 7,
          senderId: ids.bob,
          senderContactId: null,
          clientId: 'c7',
          body: 'latest',
          replyToId: null,
          createdAt: '2030-01-02T10:00:00.5+00:00',
          editedAt: null,
          deletedAt: null,
          attachments: [],
        },
      },
    ] as never);
    const { items } = await s.service.list(me);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: ids.chat, unreadCount: 4, lastMessage: { seq: 7, body: 'latest', createdAt: '2030-01-02T10:00:00.500Z' } });
    expect(items[0].members.map((m) => [m.userId, m.role, m.joinedAt])).toEqual([
      [ids.me, 'owner', '2030-01-01T00:00:00.123Z'],
      [ids.bob, 'member', '2030-01-02T00:00:00.000Z'],
    ]);
    expect(s.chats.membersOf).not.toHaveBeenCalled();
    expect(s.chats.lastMessages).not.toHaveBeenCalled();
  });

  it('marks read and tells the members where the marker ended up', async () => {
    const s = setup();
    s.chats.markRead.mockResolvedValueOnce({ seq: 7, moved: true });
    expect(await s.service.markRead(me, ids.chat, 100)).toBe(7);
    expect(s.events.emit).toHaveBeenCalledWith('chat.read', expect.objectContaining({ chatId: ids.chat, userId: ids.me, seq: 7 }));
  });

  it('tells nobody about a read that did not move the marker', async () => {
    const s = setup();
    s.chats.markRead.mockResolvedValueOnce({ seq: 7, moved: false });
    expect(await s.service.markRead(me, ids.chat, 3)).toBe(7);
    expect(s.events.emit).not.toHaveBeenCalled();
  });

  it('limits chat creation per user', async () => {
    const s = setup();
    s.rateLimits.hit.mockResolvedValueOnce({ count: 31, retryAfterSeconds: 120 });
    await expect(s.service.create(me, { type: 'group', title: 'x', memberIds: [] })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(s.chats.createWithMembers).not.toHaveBeenCalled();
  });
});

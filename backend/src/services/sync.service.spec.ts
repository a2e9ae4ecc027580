import { describe, expect, it, vi } from 'vitest';
import type { AuthContext } from '@/core/auth';
import { ErrorCode } from '@/core/errors';
import type { MessageEntity } from '@/models/message.entity';
import type { ChatWithMembership } from '@/repositories/chat.repository';
import type { SyncChanges, SyncPosition, SyncRepository } from '@/repositories/sync.repository';
import type { ChatResponseDto } from '@/schemas/chat.dto';
import type { ChatService } from './chat.service';
import { decodeCursor, encodeCursor, SyncService } from './sync.service';

const me: AuthContext = { userId: '00000000-0000-4000-8000-000000000001', username: 'me', role: 'user' };
const chatA = 'aaaaaaaa-0000-4000-8000-000000000000';
const chatB = 'bbbbbbbb-0000-4000-8000-000000000000';
const NO_CHAT = '00000000-0000-0000-0000-000000000000';

const message = (chatId: string, seq: number, xid: string): MessageEntity & { xid: string } => ({
  id: `${chatId.slice(0, 8)}-${seq}`,
  chatId,
  seq,
  senderId: me.userId,
  senderContactId: null,
  clientId: `c${seq}`,
  body: `m${seq}`,
  replyToId: null,
  createdAt: new Date('2030-01-01T00:00:00Z'),
  editedAt: null,
  deletedAt: null,
  internal: false,
  delivery: null,
  xid,
});
const chat = (id: string, xid: string) => ({ id, xid, myLastReadSeq: 0 }) as unknown as ChatWithMembership & { xid: string };

function setup(changes: Partial<SyncChanges>) {
  const repo = {
    currentXmin: vi.fn(async () => '900'),
    changesSince: vi.fn(async (): Promise<SyncChanges> => ({ xmin: '500', removals: [], chats: [], messages: [], ...changes })),
  };
  const chats = { views: vi.fn(async (rows: ChatWithMembership[]) => rows.map((r) => ({ id: r.id }) as ChatResponseDto)) };
  return { repo, service: new SyncService(repo as unknown as SyncRepository, chats as unknown as ChatService) };
}

describe('SyncService', () => {
  it('answers "now" without a cursor, and reads nothing', async () => {
    const { repo, service } = setup({});
    for (const since of [undefined, '0']) {
      const res = await service.changes(me, { since });
      expect(res).toMatchObject({ hasMore: false, messages: [], chats: [], removedChatIds: [] });
      expect(decodeCursor(res.cursor)).toEqual({ xid: '900', rank: -1, chatId: NO_CHAT, seq: 0 });
    }
    expect(repo.changesSince).not.toHaveBeenCalled();
  });

  it('rejects a cursor it did not issue, naming since', async () => {
    const { service } = setup({});
    for (const since of ['nope', encodeCursor({ xid: '1', rank: 2, chatId: chatA, seq: 1 }).slice(0, -3), Buffer.from('1.7.x.1').toString('base64url')]) {
      await expect(service.changes(me, { since })).rejects.toMatchObject({ code: ErrorCode.BadRequest, details: { fields: ['since'] } });
    }
  });

  it('merges the kinds in change order and cuts the page at the limit, resuming right after its last change', async () => {
    const { repo, service } = setup({
      removals: [{ chatId: chatB, xid: '101' }],
      chats: [chat(chatA, '100')],
      messages: [message(chatA, 1, '100'), message(chatB, 5, '100'), message(chatA, 2, '102')],
    });
    const from: SyncPosition = { xid: '99', rank: -1, chatId: NO_CHAT, seq: 0 };
    const res = await service.changes(me, { since: encodeCursor(from), limit: 3 });

    expect(repo.changesSince).toHaveBeenCalledWith(me.userId, from, 4);
    // xid 100: the chat (kind 1) before its messages (kind 2, by chat then seq); then the removal at 101.
    expect(res.chats.map((c) => c.id)).toEqual([chatA]);
    expect(res.messages.map((m) => [m.chatId, m.seq])).toEqual([
      [chatA, 1],
      [chatB, 5],
    ]);
    expect(res.removedChatIds).toEqual([]);
    expect(res.hasMore).toBe(true);
    expect(decodeCursor(res.cursor)).toEqual({ xid: '100', rank: 2, chatId: chatB, seq: 5 });
  });

  it('moves the cursor to the snapshot xmin once everything below it was returned', async () => {
    const { service } = setup({ removals: [{ chatId: chatB, xid: '101' }], messages: [message(chatA, 2, '102')] });
    const res = await service.changes(me, { since: encodeCursor({ xid: '100', rank: 2, chatId: chatB, seq: 5 }) });
    expect(res).toMatchObject({ hasMore: false, removedChatIds: [chatB] });
    expect(res.messages.map((m) => m.seq)).toEqual([2]);
    expect(decodeCursor(res.cursor)).toEqual({ xid: '500', rank: -1, chatId: NO_CHAT, seq: 0 });
  });
});

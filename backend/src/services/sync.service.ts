import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest } from '@/core/errors';
import { SyncRank, SyncRepository, type SyncPosition } from '@/repositories/sync.repository';
import { toMessageResponse } from '@/schemas/message.dto';
import { SYNC_DEFAULT_LIMIT, type SyncQueryDto, type SyncResponseDto } from '@/schemas/sync.dto';
import { ChatService } from './chat.service';

const NO_CHAT = '00000000-0000-0000-0000-000000000000';
const CURSOR = /^(\d{1,20})\.(-1|0|1|2)\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,10})$/;

/** The cursor is opaque to clients; inside it is the position of the last change they have. */
export function encodeCursor(p: SyncPosition): string {
  return Buffer.from(`${p.xid}.${p.rank}.${p.chatId}.${p.seq}`).toString('base64url');
}

/** xid8 is an unsigned 64-bit number and seq a PostgreSQL int: anything larger was never handed out. */
const MAX_XID = 2n ** 64n - 1n;
const MAX_SEQ = 2_147_483_647;

export function decodeCursor(cursor: string): SyncPosition {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match || BigInt(match[1]) > MAX_XID || Number(match[4]) > MAX_SEQ) throw badRequest('since must be a cursor returned by GET /sync', ['since']);
  return { xid: match[1], rank: Number(match[2]) as SyncPosition['rank'], chatId: match[3], seq: Number(match[4]) };
}

/** Everything below `xmin` has been seen: the next read starts at the first change of that transaction. */
const allBefore = (xmin: string): SyncPosition => ({ xid: xmin, rank: SyncRank.Start, chatId: NO_CHAT, seq: 0 });

function compare(a: SyncPosition, b: SyncPosition): number {
  const x = BigInt(a.xid) - BigInt(b.xid);
  if (x !== 0n) return x < 0n ? -1 : 1;
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.chatId !== b.chatId) return a.chatId < b.chatId ? -1 : 1;
  return a.seq - b.seq;
}

type Change =
  | { kind: 'removal'; at: SyncPosition; chatId: string }
  | { kind: 'chat'; at: SyncPosition; index: number }
  | { kind: 'message'; at: SyncPosition; index: number };

@Injectable()
export class SyncService {
  constructor(
    private readonly sync: SyncRepository,
    private readonly chatService: ChatService,
  ) {}

  /**
   * Changes in the caller's chats after `since`, oldest first, at most `limit` of them. Without a cursor the
   * answer is empty and its cursor means "now": take it before loading chats and history, then sync from it.
   */
  async changes(auth: AuthContext, query: SyncQueryDto): Promise<SyncResponseDto> {
    const limit = query.limit ?? SYNC_DEFAULT_LIMIT;
    if (!query.since || query.since === '0') {
      return { cursor: encodeCursor(allBefore(await this.sync.currentXmin())), hasMore: false, messages: [], chats: [], removedChatIds: [] };
    }
    const from = decodeCursor(query.since);
    const found = await this.sync.changesSince(auth.userId, from, limit + 1);

    const changes: Change[] = [
      ...found.removals.map((r): Change => ({ kind: 'removal', at: { xid: r.xid, rank: SyncRank.Removal, chatId: r.chatId, seq: 0 }, chatId: r.chatId })),
      ...found.chats.map((c, index): Change => ({ kind: 'chat', at: { xid: c.xid, rank: SyncRank.Chat, chatId: c.id, seq: 0 }, index })),
      ...found.messages.map((m, index): Change => ({ kind: 'message', at: { xid: m.xid, rank: SyncRank.Message, chatId: m.chatId, seq: m.seq }, index })),
    ].sort((a, b) => compare(a.at, b.at));
    // Each kind was read up to limit + 1, so the first `limit` of the merge are exactly the next `limit` changes.
    const page = changes.slice(0, limit);
    const hasMore = changes.length > limit;

    const removed = new Set<string>();
    const chatRows = [];
    const messages = [];
    for (const change of page) {
      if (change.kind === 'removal') removed.add(change.chatId);
      else if (change.kind === 'chat') chatRows.push(found.chats[change.index]);
      else messages.push(toMessageResponse(found.messages[change.index]));
    }
    return {
      cursor: encodeCursor(hasMore ? page[page.length - 1].at : allBefore(found.xmin)),
      hasMore,
      messages,
      chats: await this.chatService.views(chatRows),
      removedChatIds: [...removed],
    };
  }
}

import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest, notFound } from '@/core/errors';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import {
  THREAD_PAGE_DEFAULT,
  type ListThreadsQueryDto,
  type ThreadCountsQueryDto,
  type ThreadCountsResponseDto,
  type ThreadListResponseDto,
  type ThreadResponseDto,
  type UpdateThreadDto,
} from '@/modules/bridge/schemas/inbox.dto';
import { decodeChatCursor, encodeChatCursor } from '@/schemas/chat.dto';
import { UserService } from '@/services/user.service';
import { ChannelAccessService } from './channel-access.service';
import { SnoozeService } from './snooze.service';
import { ThreadViewService } from './thread-view.service';

@Injectable()
export class InboxService {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly channels: ChannelRepository,
    private readonly access: ChannelAccessService,
    private readonly views: ThreadViewService,
    private readonly users: UserService,
    private readonly snooze: SnoozeService,
  ) {}

  /** The caller's threads, newest activity first, a page at a time. */
  async list(auth: AuthContext, query: ListThreadsQueryDto): Promise<ThreadListResponseDto> {
    const cursor = query.cursor ? decodeChatCursor(query.cursor) : undefined;
    if (cursor === null) throw badRequest('cursor is not one this API handed out', ['cursor']);
    const channelIds = await this.access.visibleChannelIds(auth);
    if (query.channelId && channelIds !== null && !channelIds.includes(query.channelId)) return { items: [], nextCursor: null };
    const limit = query.limit ?? THREAD_PAGE_DEFAULT;
    const rows = await this.inbox.list({
      channelIds,
      channelId: query.channelId,
      status: query.status,
      assignee: query.assignee === 'me' ? auth.userId : query.assignee,
      labelId: query.labelId,
      unreadFor: query.unread ? auth.userId : undefined,
      q: query.q,
      cursor: cursor ? { at: cursor.at, chatId: cursor.id } : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: await this.views.viewsFor(auth.userId, page),
      nextCursor: rows.length > limit && last ? encodeChatCursor(last.lastActivityAt, last.chatId) : null,
    };
  }

  /** Threads per tab (mine, unassigned, all) under the list's other filters. */
  async counts(auth: AuthContext, query: ThreadCountsQueryDto): Promise<ThreadCountsResponseDto> {
    const channelIds = await this.access.visibleChannelIds(auth);
    if (query.channelId && channelIds !== null && !channelIds.includes(query.channelId)) return { mine: 0, unassigned: 0, all: 0 };
    return this.inbox.counts(
      { channelIds, channelId: query.channelId, status: query.status, labelId: query.labelId, unreadFor: query.unread ? auth.userId : undefined, q: query.q },
      auth.userId,
    );
  }

  /**
   * "Take": assigns the thread to the caller unless someone else already has it. Returns who has it afterwards,
   * so a second taker can be told. No access → 404, as everywhere.
   */
  async take(auth: AuthContext, chatId: string): Promise<{ taken: true } | { taken: false; assignee: { id: string; name: string } }> {
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) throw notFound('Thread');
    await this.access.requireChannel(auth, thread.channelId).catch(() => {
      throw notFound('Thread');
    });
    const assigned = await this.inbox.assignIfFree(chatId, auth.userId);
    if (assigned) {
      if (thread.assigneeId !== auth.userId) await this.views.announce(chatId);
      return { taken: true };
    }
    const current = await this.inbox.findThreadByChat(chatId);
    const [person] = current?.assigneeId ? await this.users.publicUsers([current.assigneeId]) : [];
    return { taken: false, assignee: { id: current?.assigneeId ?? '', name: person?.displayName || person?.username || 'another operator' } };
  }

  async update(auth: AuthContext, chatId: string, dto: UpdateThreadDto): Promise<ThreadResponseDto> {
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) throw notFound('Thread');
    await this.access.requireChannel(auth, thread.channelId).catch(() => {
      throw notFound('Thread');
    });
    if (dto.status === undefined && dto.assigneeId === undefined) throw badRequest('send status or assigneeId', ['status', 'assigneeId']);
    let snoozedUntil: Date | undefined;
    if (dto.status === 'snoozed') {
      if (!dto.snoozedUntil) throw badRequest('snoozing needs snoozedUntil', ['snoozedUntil']);
      snoozedUntil = new Date(dto.snoozedUntil);
      if (!(snoozedUntil.getTime() > Date.now())) throw badRequest('snoozedUntil must be in the future', ['snoozedUntil']);
    } else if (dto.snoozedUntil !== undefined) {
      throw badRequest('snoozedUntil goes with status "snoozed"', ['snoozedUntil']);
    }
    if (dto.assigneeId) {
      const operators = await this.channels.operatorIds(thread.channelId);
      const mayWork = operators.includes(dto.assigneeId) || (await this.users.roleOf(dto.assigneeId)) === 'admin';
      if (!mayWork) throw badRequest('assigneeId must be an operator of the channel or an admin', ['assigneeId']);
    }
    const updated = await this.inbox.updateThread(chatId, { status: dto.status, assigneeId: dto.assigneeId, snoozedUntil });
    if (!updated) throw notFound('Thread');
    if (snoozedUntil) await this.snooze.schedule(chatId, snoozedUntil);
    await this.views.announce(chatId);
    const [view] = await this.views.viewsFor(auth.userId, [updated]);
    if (!view) throw notFound('Thread');
    return view;
  }
}

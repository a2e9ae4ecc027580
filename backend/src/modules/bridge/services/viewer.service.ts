import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { notFound } from '@/core/errors';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { ViewerRepository } from '@/modules/bridge/repositories/viewer.repository';
import type { ThreadViewersResponseDto } from '@/modules/bridge/schemas/desk.dto';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import { ChatService } from '@/services/chat.service';
import { UserService } from '@/services/user.service';
import { ChannelAccessService } from './channel-access.service';

/** A viewer who stops refreshing drops out after this; clients refresh about every 10 s. */
export const VIEWER_TTL_MS = 30_000;

/**
 * Collision control: who is looking at a thread. The set lives in Redis with a TTL, so a closed tab drops out within
 * 30 s; whenever the set changes, the thread's people get `thread:viewers` with names.
 */
@Injectable()
export class ViewerService {
  constructor(
    private readonly viewers: ViewerRepository,
    private readonly inbox: InboxRepository,
    private readonly access: ChannelAccessService,
    private readonly chats: ChatService,
    private readonly users: UserService,
    private readonly websocket: WebsocketRepository,
  ) {}

  async view(auth: AuthContext, chatId: string): Promise<ThreadViewersResponseDto> {
    await this.requireThread(auth, chatId);
    const { before, viewerIds } = await this.viewers.view(chatId, auth.userId, Date.now(), VIEWER_TTL_MS);
    const response = await this.toResponse(chatId, viewerIds);
    if (!sameSet(before, viewerIds)) await this.announce(chatId, response);
    return response;
  }

  async leave(auth: AuthContext, chatId: string): Promise<void> {
    await this.requireThread(auth, chatId);
    const { before, viewerIds } = await this.viewers.leave(chatId, auth.userId, Date.now());
    if (!sameSet(before, viewerIds)) await this.announce(chatId, await this.toResponse(chatId, viewerIds));
  }

  /** When the user opened the thread (ms), if they are viewing it. */
  openedAt(chatId: string, userId: string): Promise<number | null> {
    return this.viewers.openedAt(chatId, userId);
  }

  resetOpened(chatId: string, userId: string): Promise<void> {
    return this.viewers.resetOpened(chatId, userId, Date.now());
  }

  private async requireThread(auth: AuthContext, chatId: string): Promise<void> {
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) throw notFound('Thread');
    await this.access.requireChannel(auth, thread.channelId).catch(() => {
      throw notFound('Thread');
    });
  }

  private async toResponse(chatId: string, viewerIds: string[]): Promise<ThreadViewersResponseDto> {
    const people = new Map((await this.users.publicUsers(viewerIds)).map((u) => [u.id, u.displayName || u.username]));
    return { chatId, viewers: viewerIds.filter((id) => people.has(id)).map((id) => ({ userId: id, name: people.get(id)! })) };
  }

  private async announce(chatId: string, response: ThreadViewersResponseDto): Promise<void> {
    const chat = await this.chats.viewForSystem(chatId);
    if (!chat) return;
    this.websocket.emitToUsers(
      chat.members.map((m) => m.userId),
      'thread:viewers',
      response,
    );
  }
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

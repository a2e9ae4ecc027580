import { Injectable } from '@nestjs/common';
import type { InboxThreadRow } from '@/modules/bridge/models/inbox-thread.model';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { LabelRepository } from '@/modules/bridge/repositories/label.repository';
import { toLabelResponse } from '@/modules/bridge/schemas/label.dto';
import { toThreadResponse, type ThreadResponseDto } from '@/modules/bridge/schemas/inbox.dto';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import type { ChatResponseDto } from '@/schemas/chat.dto';
import { ChatService } from '@/services/chat.service';

/** Builds the inbox view of threads and tells a channel's people when one changes (`thread:updated`). */
@Injectable()
export class ThreadViewService {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly channels: ChannelRepository,
    private readonly chats: ChatService,
    private readonly websocket: WebsocketRepository,
    private readonly labels: LabelRepository,
  ) {}

  /** Views of threads as `userId` sees them (their unread counts); threads the user is not a member of drop out. */
  async viewsFor(userId: string, threads: InboxThreadRow[]): Promise<ThreadResponseDto[]> {
    const chats = await this.chats.viewsForUser(userId, threads.map((t) => t.chatId));
    return this.assemble(threads, chats);
  }

  private async assemble(threads: InboxThreadRow[], chats: Map<string, ChatResponseDto>): Promise<ThreadResponseDto[]> {
    const contacts = new Map((await this.inbox.contactsByIds([...new Set(threads.map((t) => t.contactId))])).map((c) => [c.id, c]));
    const channelIds = [...new Set(threads.map((t) => t.channelId))];
    const channels = new Map((await Promise.all(channelIds.map((id) => this.channels.findById(id)))).filter((c) => c !== null).map((c) => [c.id, c]));
    const labels = await this.labels.labelsOfThreads(threads.map((t) => t.chatId));
    const views: ThreadResponseDto[] = [];
    for (const thread of threads) {
      const chat = chats.get(thread.chatId);
      const contact = contacts.get(thread.contactId);
      const channel = channels.get(thread.channelId);
      if (!chat || !contact || !channel) continue;
      views.push(toThreadResponse({ ...thread, chat, contact, channel, ai: channel.ai, labels: (labels.get(thread.chatId) ?? []).map(toLabelResponse) }));
    }
    return views;
  }

  /**
   * `thread:updated` to every member of the thread (the channel's operators and the admins). Each recipient gets the
   * thread with their own unread count.
   */
  async announce(chatId: string): Promise<void> {
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) return;
    const chat = await this.chats.viewForSystem(chatId);
    if (!chat) return;
    const [view] = await this.assemble([thread], new Map([[chatId, chat]]));
    if (!view) return;
    for (const member of chat.members) {
      const unreadCount = Math.max(0, chat.lastMessageSeq - member.lastReadSeq);
      this.websocket.emitToUsers([member.userId], 'thread:updated', { ...view, unreadCount, chat: { ...view.chat, unreadCount } });
    }
  }
}

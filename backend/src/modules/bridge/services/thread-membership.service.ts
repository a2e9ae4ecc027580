import { Injectable } from '@nestjs/common';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { ChatService } from '@/services/chat.service';
import { ChannelAccessService } from './channel-access.service';
import { ThreadViewService } from './thread-view.service';

/**
 * Threads are ordinary chats whose members follow a rule: the channel's operators plus every admin. Keeping
 * chat_members in step lets history, realtime, read markers, /sync and the 404 rule work unchanged.
 */
@Injectable()
export class ThreadMembershipService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly inbox: InboxRepository,
    private readonly chats: ChatService,
    private readonly access: ChannelAccessService,
    private readonly views: ThreadViewService,
  ) {}

  async syncChannel(channelId: string): Promise<void> {
    const memberIds = await this.access.threadMemberIds(channelId);
    const threads = await this.inbox.threadsOfChannel(channelId);
    for (const thread of threads) {
      const { added } = await this.chats.syncInboxMembers(thread.chatId, memberIds);
      if (added.length) await this.views.announce(thread.chatId);
    }
    // An assignee who lost access to the channel is unassigned.
    const unassigned = await this.inbox.unassignWithout(channelId, await this.channels.operatorIds(channelId));
    for (const thread of unassigned) await this.views.announce(thread.chatId);
  }

  /** After someone became or stopped being an admin. */
  async syncAll(): Promise<void> {
    for (const channel of await this.channels.list()) await this.syncChannel(channel.id);
  }
}

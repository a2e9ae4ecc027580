import { Injectable, Logger } from '@nestjs/common';
import { AssignmentRepository } from '@/modules/bridge/repositories/assignment.repository';
import { BridgeLockRepository } from '@/modules/bridge/repositories/bridge-lock.repository';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { PresenceService } from '@/services/presence.service';

const LOCK_MS = 5000;

/**
 * Per channel `autoAssign`: a new or reopened thread without an assignee goes to the online operator of the channel
 * with the fewest open threads; among equals, the one who got a thread of this channel longest ago (round robin).
 * One decision per channel at a time, so a burst of new threads spreads instead of piling on one person.
 */
@Injectable()
export class AutoAssignService {
  private readonly logger = new Logger('AutoAssign');

  constructor(
    private readonly channels: ChannelRepository,
    private readonly inbox: InboxRepository,
    private readonly assignments: AssignmentRepository,
    private readonly locks: BridgeLockRepository,
    private readonly presence: PresenceService,
  ) {}

  /** Returns the operator the thread was given to, or null when nothing changed. */
  async assign(chatId: string): Promise<string | null> {
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread || thread.assigneeId || thread.status !== 'open') return null;
    const channel = await this.channels.findById(thread.channelId);
    if (!channel || channel.settings?.autoAssign !== true) return null;
    for (let attempt = 0; attempt < 20; attempt++) {
      const result = await this.locks.tryWith(`auto-assign:${channel.id}`, LOCK_MS, () => this.pick(channel.id, chatId));
      if (!result.busy) return result.value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.logger.warn({ chatId }, 'auto-assignment skipped: the channel stayed locked');
    return null;
  }

  private async pick(channelId: string, chatId: string): Promise<string | null> {
    const online = await this.presence.onlineOf(await this.channels.operatorIds(channelId));
    if (online.length === 0) return null;
    const [open, last] = await Promise.all([this.assignments.openThreadCounts(online), this.assignments.lastAssigned(channelId, online)]);
    const [chosen] = [...online].sort((a, b) => open.get(a)! - open.get(b)! || last.get(a)! - last.get(b)! || a.localeCompare(b));
    if (!chosen || !(await this.assignments.assignIfUnassigned(chatId, chosen))) return null;
    await this.assignments.markAssigned(channelId, chosen, Date.now());
    return chosen;
  }
}

import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { forbidden, notFound } from '@/core/errors';
import type { ChannelRow } from '@/modules/bridge/models/channel.model';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { UserService } from '@/services/user.service';

/**
 * Who may see a channel and its threads: admins always, operators of that channel, nobody else. Everyone else gets
 * the same 404 as for a channel that does not exist. The role is read from the database, so a change applies at once.
 */
@Injectable()
export class ChannelAccessService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly users: UserService,
  ) {}

  async isAdmin(auth: AuthContext): Promise<boolean> {
    return (await this.users.roleOf(auth.userId)) === 'admin';
  }

  async requireAdmin(auth: AuthContext): Promise<void> {
    await this.users.requireAdmin(auth);
  }

  /** Inbox-wide things (labels, canned replies) are for people who work the inbox: admins, operators, or anyone named on a channel. */
  async requireOperator(auth: AuthContext): Promise<void> {
    const role = await this.users.roleOf(auth.userId);
    if (role === 'admin' || role === 'operator') return;
    if ((await this.channels.list(auth.userId)).length > 0) return;
    throw forbidden('only operators can do this');
  }

  /** The channel if the caller may work it. */
  async requireChannel(auth: AuthContext, channelId: string): Promise<ChannelRow> {
    const channel = await this.channels.findById(channelId);
    if (!channel) throw notFound('Channel');
    if (await this.isAdmin(auth)) return channel;
    const operators = await this.channels.operatorIds(channelId);
    if (!operators.includes(auth.userId)) throw notFound('Channel');
    return channel;
  }

  /** Channel ids the caller works; null means every channel (an admin). */
  async visibleChannelIds(auth: AuthContext): Promise<string[] | null> {
    if (await this.isAdmin(auth)) return null;
    return (await this.channels.list(auth.userId)).map((c) => c.id);
  }

  /** Who must be a member of every thread of the channel: its operators and every admin. */
  async threadMemberIds(channelId: string): Promise<string[]> {
    const [operators, admins] = await Promise.all([this.channels.operatorIds(channelId), this.users.adminIds()]);
    return [...new Set([...operators, ...admins])];
  }
}

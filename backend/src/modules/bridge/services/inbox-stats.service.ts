import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest } from '@/core/errors';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboxStatsRepository, type GroupedStatsRow } from '@/modules/bridge/repositories/inbox-stats.repository';
import type { InboxStatsResponseDto, StatsFiguresDto, StatsQueryDto } from '@/modules/bridge/schemas/desk.dto';
import { UserService } from '@/services/user.service';
import { ChannelAccessService } from './channel-access.service';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;

const figures = ({ key: _key, grouping: _grouping, ...rest }: GroupedStatsRow): StatsFiguresDto => rest;
const EMPTY: StatsFiguresDto = {
  opened: 0,
  resolved: 0,
  reopened: 0,
  firstResponseMedianSeconds: null,
  firstResponseP90Seconds: null,
  resolutionMedianSeconds: null,
  messagesIn: 0,
  messagesOut: 0,
  failedDeliveries: 0,
};

/** Inbox statistics over the channels the caller works (every channel for an admin). */
@Injectable()
export class InboxStatsService {
  constructor(
    private readonly stats: InboxStatsRepository,
    private readonly channels: ChannelRepository,
    private readonly access: ChannelAccessService,
    private readonly users: UserService,
  ) {}

  async get(auth: AuthContext, query: StatsQueryDto): Promise<InboxStatsResponseDto> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * DAY_MS);
    if (!(from < to)) throw badRequest('from must be before to', ['from', 'to']);
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw badRequest(`the period may span at most ${MAX_RANGE_DAYS} days`, ['from', 'to']);
    const channelIds = await this.access.visibleChannelIds(auth);
    const empty = { from: from.toISOString(), to: to.toISOString(), total: EMPTY, channels: [], operators: [], days: [] };
    if (query.channelId && channelIds !== null && !channelIds.includes(query.channelId)) return empty;
    const filter = { from, to, channelIds, channelId: query.channelId, operatorId: query.operatorId };
    const rows = await this.stats.figures(filter);
    const [total, byChannel, byOperator, byDay] = (['total', 'channel', 'operator', 'day'] as const).map((g) => rows.filter((r) => r.grouping === g));
    const channelNames = new Map(
      (await Promise.all(byChannel.map((r) => (r.key ? this.channels.findById(r.key) : null)))).filter((c) => c !== null).map((c) => [c.id, c.name]),
    );
    const operatorRows = byOperator.filter((r) => r.key !== null);
    const people = new Map((await this.users.publicUsers(operatorRows.map((r) => r.key!))).map((u) => [u.id, u.displayName || u.username]));
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      total: total[0] ? figures(total[0]) : EMPTY,
      channels: byChannel.filter((r) => r.key !== null).map((r) => ({ channelId: r.key!, channelName: channelNames.get(r.key!) ?? '', ...figures(r) })),
      operators: operatorRows.map((r) => ({ operatorId: r.key!, operatorName: people.get(r.key!) ?? '', ...figures(r) })),
      days: byDay.filter((r) => r.key !== null).map((r) => ({ date: r.key!, ...figures(r) })),
    };
  }
}

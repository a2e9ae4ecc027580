import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest, conflict, notFound } from '@/core/errors';
import { LabelRepository } from '@/modules/bridge/repositories/label.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import type { ThreadResponseDto } from '@/modules/bridge/schemas/inbox.dto';
import {
  toLabelResponse,
  type CreateLabelDto,
  type LabelListResponseDto,
  type LabelResponseDto,
  type UpdateLabelDto,
} from '@/modules/bridge/schemas/label.dto';
import { ChannelAccessService } from './channel-access.service';
import { ThreadViewService } from './thread-view.service';

/** Labels (ticket categories): admins manage them, everyone who works a channel reads them and puts them on threads. */
@Injectable()
export class LabelService {
  constructor(
    private readonly labels: LabelRepository,
    private readonly inbox: InboxRepository,
    private readonly access: ChannelAccessService,
    private readonly views: ThreadViewService,
  ) {}

  async list(auth: AuthContext): Promise<LabelListResponseDto> {
    await this.access.requireOperator(auth);
    return { items: (await this.labels.listLabels()).map(toLabelResponse) };
  }

  async create(auth: AuthContext, dto: CreateLabelDto): Promise<LabelResponseDto> {
    await this.access.requireAdmin(auth);
    const result = await this.labels.createLabel({ name: dto.name.trim(), color: dto.color?.toLowerCase() });
    if (result.status !== 'ok') throw conflict(`a label named "${dto.name.trim()}" already exists`);
    return toLabelResponse(result.row);
  }

  async update(auth: AuthContext, id: string, dto: UpdateLabelDto): Promise<LabelResponseDto> {
    await this.access.requireAdmin(auth);
    if (dto.name === undefined && dto.color === undefined) throw badRequest('send name or color', ['name', 'color']);
    const result = await this.labels.updateLabel(id, { name: dto.name?.trim(), color: dto.color?.toLowerCase() });
    if (result.status === 'missing') throw notFound('Label');
    if (result.status === 'taken') throw conflict(`a label named "${dto.name?.trim()}" already exists`);
    return toLabelResponse(result.row);
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.access.requireAdmin(auth);
    const chats = await this.labels.deleteLabel(id);
    if (chats === null) throw notFound('Label');
    for (const chatId of chats) await this.views.announce(chatId);
  }

  /** Replaces the thread's labels; the change reaches the channel's people live. */
  async setThreadLabels(auth: AuthContext, chatId: string, labelIds: string[]): Promise<ThreadResponseDto> {
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) throw notFound('Thread');
    await this.access.requireChannel(auth, thread.channelId).catch(() => {
      throw notFound('Thread');
    });
    const ids = [...new Set(labelIds)];
    if ((await this.labels.countExisting(ids)) !== ids.length) throw badRequest('labelIds must be ids of existing labels', ['labelIds']);
    await this.labels.setThreadLabels(chatId, ids);
    await this.views.announce(chatId);
    const [view] = await this.views.viewsFor(auth.userId, [thread]);
    if (!view) throw notFound('Thread');
    return view;
  }
}

import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest, conflict, notFound } from '@/core/errors';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { LabelRepository } from '@/modules/bridge/repositories/label.repository';
import {
  renderCanned,
  toCannedResponse,
  type CannedResponseDto,
  type CannedResponseListResponseDto,
  type CannedResponsesQueryDto,
  type CreateCannedResponseDto,
  type UpdateCannedResponseDto,
} from '@/modules/bridge/schemas/desk.dto';
import { UserService } from '@/services/user.service';
import { ChannelAccessService } from './channel-access.service';

/** Canned replies: admins write them, every operator reads them (filled in for a thread when asked). */
@Injectable()
export class CannedResponseService {
  constructor(
    private readonly labels: LabelRepository,
    private readonly inbox: InboxRepository,
    private readonly access: ChannelAccessService,
    private readonly users: UserService,
  ) {}

  async list(auth: AuthContext, query: CannedResponsesQueryDto): Promise<CannedResponseListResponseDto> {
    await this.access.requireOperator(auth);
    const rows = await this.labels.listCanned();
    if (!query.chatId) return { items: rows.map((r) => toCannedResponse(r)) };
    const thread = await this.inbox.findThreadByChat(query.chatId);
    if (!thread) throw notFound('Thread');
    await this.access.requireChannel(auth, thread.channelId).catch(() => {
      throw notFound('Thread');
    });
    const [contact] = await this.inbox.contactsByIds([thread.contactId]);
    const [me] = await this.users.publicUsers([auth.userId]);
    const values = { contactName: contact?.name ?? '', operatorName: me?.displayName ?? '' };
    return { items: rows.map((r) => toCannedResponse(r, renderCanned(r.body, values))) };
  }

  async create(auth: AuthContext, dto: CreateCannedResponseDto): Promise<CannedResponseDto> {
    await this.access.requireAdmin(auth);
    const result = await this.labels.createCanned({ shortcut: dto.shortcut, body: dto.body, createdBy: auth.userId });
    if (result.status !== 'ok') throw conflict(`the shortcut "${dto.shortcut}" is already taken`);
    return toCannedResponse(result.row);
  }

  async update(auth: AuthContext, id: string, dto: UpdateCannedResponseDto): Promise<CannedResponseDto> {
    await this.access.requireAdmin(auth);
    if (dto.shortcut === undefined && dto.body === undefined) throw badRequest('send shortcut or body', ['shortcut', 'body']);
    const result = await this.labels.updateCanned(id, dto);
    if (result.status === 'missing') throw notFound('Canned response');
    if (result.status === 'taken') throw conflict(`the shortcut "${dto.shortcut}" is already taken`);
    return toCannedResponse(result.row);
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.access.requireAdmin(auth);
    if (!(await this.labels.deleteCanned(id))) throw notFound('Canned response');
  }
}

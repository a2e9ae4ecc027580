import { Injectable } from '@nestjs/common';
import type { DeliveryRow } from '@/modules/bridge/models/delivery.model';
import { ProviderError } from '@/modules/bridge/repositories/channel-provider';
import { WidgetSocketRepository } from '@/modules/bridge/repositories/widget-socket.repository';
import { toWidgetMessage, type WidgetMessageDto } from '@/modules/bridge/schemas/widget.dto';
import type { MessageResponseDto } from '@/schemas/message.dto';
import { MessageService } from '@/services/message.service';
import { UserService } from '@/services/user.service';

/**
 * The delivery side of the website widget, apart from the visitor side (WidgetService) so that the outbound sender
 * can reach visitors without depending on the inbound path that visitors' own messages take.
 */
@Injectable()
export class WidgetPushService {
  constructor(
    private readonly sockets: WidgetSocketRepository,
    private readonly messages: MessageService,
    private readonly users: UserService,
  ) {}

  /**
   * The outbound sender's call for a web thread: the message, as the visitor sees it, is emitted to the visitor's
   * room; that emit is the delivery. Returns the id to record as the delivery's external id.
   */
  async push(row: DeliveryRow): Promise<string> {
    if (!row.messageId || !row.contactId) throw new ProviderError({ kind: 'rejected', status: 0, description: 'a web delivery needs a message and a visitor' });
    const message = await this.messages.viewForModule(row.messageId);
    if (!message) throw new ProviderError({ kind: 'rejected', status: 0, description: 'the message is gone' });
    if (message.internal) throw new ProviderError({ kind: 'rejected', status: 0, description: 'an internal note never reaches the visitor' });
    const [view] = await this.withNames([message]);
    const event = row.action === 'send' ? 'message:new' : row.action === 'edit' ? 'message:updated' : 'message:deleted';
    this.sockets.emitToVisitor(row.contactId, event, view);
    return message.id;
  }

  /** Messages as the visitor sees them: the operator's or the AI agent's name on each reply. */
  async withNames(messages: MessageResponseDto[]): Promise<WidgetMessageDto[]> {
    const ids = [...new Set(messages.map((m) => m.senderId).filter((id): id is string => !!id))];
    const names = new Map((ids.length ? await this.users.publicUsers(ids) : []).map((u) => [u.id, u.displayName]));
    return messages.map((m) => {
      const given = (m as MessageResponseDto & { senderName?: string | null }).senderName;
      return toWidgetMessage(m, given ?? (m.senderId ? (names.get(m.senderId) ?? null) : null));
    });
  }
}

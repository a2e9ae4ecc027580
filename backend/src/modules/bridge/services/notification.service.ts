import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { badRequest, channelLimit, DomainException, ErrorCode, notFound, rateLimited } from '@/core/errors';
import type { ApiKeyContext } from '@/modules/bridge/models/api-key.model';
import { CHANNEL_CAPABILITIES } from '@/modules/bridge/repositories/channel-provider';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { NotificationRepository } from '@/modules/bridge/repositories/notification.repository';
import {
  type CreateNotificationDto,
  type NotificationAcceptedDto,
  type NotificationListQueryDto,
  type NotificationListResponseDto,
  type NotificationResponseDto,
  NOTIFICATION_PAGE_DEFAULT,
  toNotificationResponse,
} from '@/modules/bridge/schemas/notification.dto';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { OutboundService } from './outbound.service';

const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url');
function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    if (typeof createdAt === 'string' && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) && !Number.isNaN(Date.parse(createdAt))) return { createdAt, id };
  } catch {
    // falls through to the 400 below
  }
  throw badRequest('cursor is not one this API returned', ['cursor']);
}

/**
 * The notifications API: other systems send messages through the channels' bots. A notification is a row of the
 * one outbox and goes through the same sender, limits and states as an operator's reply (see ARCHITECTURE.md,
 * "Notifications API"). Each API key sees only its own notifications.
 */
@Injectable()
export class NotificationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notifications: NotificationRepository,
    private readonly channels: ChannelRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly outbound: OutboundService,
  ) {}

  /** → the notification and whether it was created now (202) or is the first one of this idempotency key (200). */
  async create(key: ApiKeyContext, dto: CreateNotificationDto): Promise<{ created: boolean; body: NotificationAcceptedDto }> {
    const limit = await this.rateLimits.hit('notifications', key.keyId, 60);
    if (limit.count > this.config.bridge.notificationsPerMinute) throw rateLimited(limit.retryAfterSeconds);

    const channel = await this.channels.findById(dto.channelId);
    if (!channel) throw notFound('Channel');
    if (dto.chatId !== undefined && dto.contactId !== undefined) throw badRequest('give chatId or contactId, not both', ['chatId', 'contactId']);
    const max = CHANNEL_CAPABILITIES[channel.type].maxTextLength;
    if (dto.text.length > max) throw channelLimit('maxTextLength', `the text is longer than this channel takes: at most ${max} characters`, ['text']);

    let target: { contactId: string | null; externalChatId: string };
    if (dto.contactId !== undefined) {
      const found = await this.notifications.contactTarget(channel.id, dto.contactId);
      if (!found) throw notFound('Contact');
      target = found;
    } else {
      target = { contactId: null, externalChatId: dto.chatId! };
    }

    const request = { channelId: dto.channelId, chatId: dto.chatId, contactId: dto.contactId, text: dto.text, policy: dto.policy ?? 'at-most-once' };
    const { row, created } = await this.notifications.insertOnce({
      apiKeyId: key.keyId,
      idempotencyKey: dto.idempotencyKey,
      request,
      channelId: channel.id,
      externalChatId: target.externalChatId,
      contactId: target.contactId,
      policy: request.policy,
      text: dto.text,
    });
    if (!created) {
      if (!this.notifications.isSameRequest(row, request)) {
        throw new DomainException(ErrorCode.IdempotencyConflict, `idempotencyKey "${dto.idempotencyKey}" was used with a different request`);
      }
      return { created: false, body: { id: row.id, status: row.state } };
    }
    // The row is committed; if this enqueue is lost, the sweeper queues the row again.
    await this.outbound.enqueueRows([row]).catch(() => undefined);
    return { created: true, body: { id: row.id, status: 'queued' } };
  }

  async get(key: ApiKeyContext, id: string): Promise<NotificationResponseDto> {
    const row = await this.notifications.findForKey(key.keyId, id);
    if (!row) throw notFound('Notification');
    return toNotificationResponse(row);
  }

  async list(key: ApiKeyContext, query: NotificationListQueryDto): Promise<NotificationListResponseDto> {
    const limit = query.limit ?? NOTIFICATION_PAGE_DEFAULT;
    const rows = await this.notifications.list(key.keyId, { state: query.status, after: query.cursor ? decodeCursor(query.cursor) : undefined, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toNotificationResponse), nextCursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.id) : null };
  }
}

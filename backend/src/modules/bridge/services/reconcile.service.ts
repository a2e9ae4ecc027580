import { Injectable, Logger } from '@nestjs/common';
import { JobName } from '@/core/jobs';
import type { ChannelRow } from '@/modules/bridge/models/channel.model';
import { AvitoApiRepository, type AvitoListedMessage } from '@/modules/bridge/repositories/avito-api.repository';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboundEventRepository } from '@/modules/bridge/repositories/inbound-event.repository';
import { SecretBoxRepository } from '@/modules/bridge/repositories/secret-box.repository';
import { JobRepository } from '@/repositories/job.repository';
import { ChannelService } from './channel.service';
import { avitoEventKey, inboundJobId } from './webhook.service';

const CHAT_PAGE = 100;
const MESSAGE_PAGE = 50;
/** A pending event this old lost its job (a crash between insert and enqueue): it is queued again. */
const STALE_PENDING_SECONDS = 60;

/**
 * Heals what webhooks missed. Avito: unread chats are listed and their messages newer than what we stored are fed
 * through the same inbound path as webhooks, keyed by the same message id, so a message arriving both ways is stored
 * once. Telegram keeps undelivered updates and retries them itself while the webhook is set, so there the check is
 * that the webhook is registered.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger('BridgeReconcile');

  constructor(
    private readonly channelRows: ChannelRepository,
    private readonly channels: ChannelService,
    private readonly avito: AvitoApiRepository,
    private readonly events: InboundEventRepository,
    private readonly jobs: JobRepository,
    private readonly box: SecretBoxRepository,
  ) {}

  async reconcile(channelId: string): Promise<{ inserted: number }> {
    const row = await this.channelRows.findById(channelId);
    if (!row) return { inserted: 0 };
    await this.requeueStale();
    if (row.type === 'telegram') {
      await this.channels.ensureWebhook(row);
      return { inserted: 0 };
    }
    // Visitors' messages never pass through a provider: there is nothing to fetch.
    if (row.type === 'web') return { inserted: 0 };
    return { inserted: await this.reconcileAvito(row) };
  }

  private async reconcileAvito(row: ChannelRow): Promise<number> {
    const channel = this.channels.toProviderChannel(row);
    let inserted = 0;
    for (let offset = 0; ; offset += CHAT_PAGE) {
      const chats = await this.avito.listChats(channel, { unreadOnly: true, limit: CHAT_PAGE, offset });
      for (const chat of chats) inserted += await this.reconcileChat(row, chat.id);
      if (chats.length < CHAT_PAGE) break;
    }
    if (inserted) this.logger.log({ channelId: row.id, inserted }, 'reconciliation stored messages the webhooks missed');
    return inserted;
  }

  /** Walks the chat newest first and stops at the first message already stored: everything older is stored too. */
  private async reconcileChat(row: ChannelRow, externalChatId: string): Promise<number> {
    const channel = this.channels.toProviderChannel(row);
    const missing: AvitoListedMessage[] = [];
    outer: for (let offset = 0; ; offset += MESSAGE_PAGE) {
      const page = await this.avito.listMessages(channel, externalChatId, { limit: MESSAGE_PAGE, offset });
      for (const message of page) {
        if (await this.events.exists(row.id, avitoEventKey(message.id, message.type))) break outer;
        missing.push(message);
      }
      if (page.length < MESSAGE_PAGE) break;
    }
    // Oldest first, so the thread's order follows the conversation.
    for (const message of missing.reverse()) {
      const body = this.asWebhookBody(row, externalChatId, message);
      const stored = await this.events.store({ channelId: row.id, externalId: avitoEventKey(message.id, message.type), payload: body, headers: {}, source: 'poll' });
      if (stored.created) await this.jobs.add(JobName.BridgeInboundEvent, { eventId: stored.id }, { jobId: inboundJobId(stored.id) });
    }
    return missing.length;
  }

  /** The polled message in the shape of a webhook delivery, so one code path handles both. */
  private asWebhookBody(row: ChannelRow, externalChatId: string, message: AvitoListedMessage): Record<string, unknown> {
    const accountId = Number(row.externalAccountId);
    return {
      id: `poll-${this.box.hash(`${row.id}:${message.id}`).slice(0, 16)}`,
      version: 'poll',
      timestamp: Math.floor(Date.now() / 1000),
      payload: {
        type: 'message',
        value: {
          id: message.id,
          chat_id: externalChatId,
          user_id: accountId,
          author_id: message.direction === 'out' ? accountId : message.author_id,
          created: message.created,
          type: message.type,
          content: message.content ?? {},
        },
      },
    };
  }

  async requeueStale(): Promise<void> {
    const ids = await this.events.stalePending(STALE_PENDING_SECONDS, 500);
    if (ids.length) await this.jobs.addBulk(ids.map((eventId) => ({ name: JobName.BridgeInboundEvent, data: { eventId }, options: { jobId: inboundJobId(eventId) } })));
  }

  /** At start-up: each channel's webhook is checked and restored if missing; Avito channels get their schedule. */
  async checkAll(): Promise<void> {
    for (const row of await this.channelRows.list()) {
      try {
        const result = await this.channels.ensureWebhook(row);
        if (result === 'restored') this.logger.warn({ channelId: row.id, type: row.type }, 'webhook registration was missing and has been restored');
        if (row.status !== 'active') await this.channelRows.setStatus(row.id, 'active', null);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn({ channelId: row.id, type: row.type, err: reason }, 'webhook registration could not be checked');
        await this.channelRows.setStatus(row.id, 'error', reason.slice(0, 255));
      }
      if (row.type === 'avito') await this.channels.scheduleReconcile(row.id).catch(() => undefined);
    }
  }
}

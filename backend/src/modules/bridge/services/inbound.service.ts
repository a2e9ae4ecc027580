import { Injectable, Logger } from '@nestjs/common';
import { JobName, type JobOutcome, type JobPayloads, PermanentJobError } from '@/core/jobs';
import type { ChannelRow } from '@/modules/bridge/models/channel.model';
import type { InboxThreadRow } from '@/modules/bridge/models/inbox-thread.model';
import { AvitoApiRepository, type AvitoChat } from '@/modules/bridge/repositories/avito-api.repository';
import { BridgeLockRepository } from '@/modules/bridge/repositories/bridge-lock.repository';
import { type ProviderChannel, ProviderError } from '@/modules/bridge/repositories/channel-provider';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { TelegramLinkService } from './telegram-link.service';
import { DeliveryMetricsRepository } from '@/modules/bridge/repositories/delivery-metrics.repository';
import { InboundEventRepository } from '@/modules/bridge/repositories/inbound-event.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { TelegramApiRepository } from '@/modules/bridge/repositories/telegram-api.repository';
import { JobRepository } from '@/repositories/job.repository';
import { AttachmentService } from '@/services/attachment.service';
import { ChatService } from '@/services/chat.service';
import { HealthService } from '@/services/health.service';
import { MessageService } from '@/services/message.service';
import type { MessageResponseDto } from '@/schemas/message.dto';
import { ChannelAccessService } from './channel-access.service';
import { ChannelService } from './channel.service';
import { type InboundAction, type InboundPerson, largestImage, normaliseAvito, normaliseTelegram } from './inbound-normalize';
import { AlertService } from './alert.service';
import { AiAgentService } from './ai-agent.service';
import { AutoAssignService } from './auto-assign.service';
import { ThreadViewService } from './thread-view.service';

type MessageAction = Extract<InboundAction, { kind: 'message' }>;

/** How long a thread's creation may hold its lock; a crashed holder frees it after this. */
const THREAD_LOCK_MS = 15_000;
const RETRY_SOON_MS = 250;
/**
 * An Avito echo can arrive before our own send has returned the message id. For this long after the echo was
 * received, an unmatched echo waits for a send in flight to finish rather than being stored as a second message.
 */
const ECHO_GRACE_MS = 30_000;
const ECHO_RETRY_MS = 1000;

/** Turns stored provider events into contacts, threads and messages. Every step is idempotent: a job may run twice. */
@Injectable()
export class InboundService {
  private readonly logger = new Logger('BridgeInbound');

  constructor(
    private readonly events: InboundEventRepository,
    private readonly channelRows: ChannelRepository,
    private readonly channels: ChannelService,
    private readonly inbox: InboxRepository,
    private readonly locks: BridgeLockRepository,
    private readonly jobs: JobRepository,
    private readonly avito: AvitoApiRepository,
    private readonly telegram: TelegramApiRepository,
    private readonly chats: ChatService,
    private readonly messages: MessageService,
    private readonly attachments: AttachmentService,
    private readonly access: ChannelAccessService,
    private readonly views: ThreadViewService,
    private readonly health: HealthService,
    private readonly metrics: DeliveryMetricsRepository,
    private readonly links: TelegramLinkService,
    private readonly autoAssign: AutoAssignService,
    private readonly alerts: AlertService,
    private readonly ai: AiAgentService,
  ) {}

  async process(eventId: string): Promise<JobOutcome> {
    const event = await this.events.findById(eventId);
    if (!event || event.result !== 'pending') return;
    const row = await this.channelRows.findById(event.channelId);
    if (!row) {
      await this.mark('unknown', eventId, 'ignored', 'the channel was deleted');
      return;
    }
    if (
      row.type === 'telegram' &&
      ((await this.links.handleUpdate(row, event.payload as Record<string, unknown>)) || (await this.alerts.handleUpdate(row, event.payload as Record<string, unknown>)))
    ) {
      await this.mark(row.type, eventId, 'processed');
      return;
    }
    const action = row.type === 'telegram' ? normaliseTelegram(event.payload) : normaliseAvito(event.payload);
    switch (action.kind) {
      case 'ignored':
        await this.mark(row.type, eventId, 'ignored', action.reason);
        return;
      case 'edit': {
        const thread = await this.inbox.findThread(row.id, action.externalChatId);
        const edited = thread ? await this.messages.editImported(thread.chatId, action.externalMessageId, action.body) : null;
        await this.mark(row.type, eventId, edited ? 'processed' : 'ignored', edited ? null : 'edit of a message we do not have');
        return;
      }
      case 'delete': {
        const thread = await this.inbox.findThread(row.id, action.externalChatId);
        const deleted = thread ? await this.messages.deleteImported(thread.chatId, action.externalMessageId) : false;
        await this.mark(row.type, eventId, deleted ? 'processed' : 'ignored', deleted ? null : 'delete of a message we do not have');
        return;
      }
      case 'message': {
        const outcome = await this.ingest(row, action, event.receivedAt);
        if (outcome) return outcome;
        await this.mark(row.type, eventId, 'processed');
        return;
      }
    }
  }

  /**
   * A website visitor wrote in the widget: the same path as a provider's customer message (thread and contact,
   * reopening, auto-assignment, the inbox live), run at once rather than through a stored event, so the visitor's
   * ack carries the stored message. The widget's clientId is the message's external id: a resend is the same message.
   */
  async acceptVisitorMessage(row: ChannelRow, visitor: { visitorId: string; name: string }, clientId: string, body: string): Promise<{ message: MessageResponseDto; created: boolean }> {
    const externalMessageId = `web:${clientId}`;
    const known = await this.inbox.findThread(row.id, visitor.visitorId);
    const earlier = known ? await this.messages.findExternal(known.chatId, externalMessageId) : null;
    if (earlier) return { message: earlier, created: false };
    const action = visitorAction(visitor, externalMessageId, body);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.ingest(row, action, action.createdAt);
      if (!outcome) break;
      // Only the visitor's first messages can meet here (both creating the thread); the other one finishes shortly.
      if (attempt >= THREAD_LOCK_MS / RETRY_SOON_MS) throw new Error('the conversation is still being created; send again');
      await new Promise((resolve) => setTimeout(resolve, RETRY_SOON_MS));
    }
    const thread = await this.inbox.findThread(row.id, visitor.visitorId);
    const message = thread ? await this.messages.findExternal(thread.chatId, externalMessageId) : null;
    if (!message) throw new Error('the visitor message was not stored');
    this.metrics.inbound.inc({ provider: row.type, result: 'processed' });
    return { message, created: true };
  }

  /**
   * The visitor's thread, created now if they have none yet (a first image is uploaded before the message that
   * carries it): the same creation as for a first message, announced to the channel's people at once.
   */
  async ensureVisitorThread(row: ChannelRow, visitor: { visitorId: string; name: string }): Promise<InboxThreadRow> {
    const action = visitorAction(visitor, '', '');
    for (let attempt = 0; ; attempt++) {
      const known = await this.inbox.findThread(row.id, visitor.visitorId);
      if (known) return known;
      const result = await this.locks.tryWith(`thread:${row.id}:${visitor.visitorId}`, THREAD_LOCK_MS, () => this.createThread(row, action));
      if (!result.busy) {
        if (result.value.created) {
          // While the AI agent answers, nobody is given the thread; the hand-off assigns it.
          if (result.value.thread.owner !== 'ai') await this.autoAssign.assign(result.value.thread.chatId);
          await this.views.announce(result.value.thread.chatId);
        }
        return result.value.thread;
      }
      if (attempt >= THREAD_LOCK_MS / RETRY_SOON_MS) throw new Error('the conversation is still being created; try again');
      await new Promise((resolve) => setTimeout(resolve, RETRY_SOON_MS));
    }
  }

  private async mark(provider: string, eventId: string, result: 'processed' | 'ignored' | 'failed', error?: string | null): Promise<void> {
    await this.events.markResult(eventId, result, error ?? null);
    this.metrics.inbound.inc({ provider, result });
  }

  /** The last attempt failed: the event stays stored with its reason, for the admin to see and replay. */
  async failed(eventId: string, error: Error): Promise<void> {
    const event = await this.events.findById(eventId);
    const row = event ? await this.channelRows.findById(event.channelId) : null;
    await this.mark(row?.type ?? 'unknown', eventId, 'failed', error.message.slice(0, 1000));
  }

  private async ingest(row: ChannelRow, action: MessageAction, receivedAt: Date): Promise<JobOutcome> {
    let thread = await this.inbox.findThread(row.id, action.externalChatId);
    let created = false;
    if (!thread) {
      const result = await this.locks.tryWith(`thread:${row.id}:${action.externalChatId}`, THREAD_LOCK_MS, () => this.createThread(row, action));
      // Another job is creating this thread right now: come back when it is there.
      if (result.busy) return { retryAt: new Date(Date.now() + RETRY_SOON_MS) };
      ({ thread, created } = result.value);
    } else if (action.direction === 'in' && action.customer?.name) {
      await this.inbox.upsertContact(row.id, action.customer.externalId, action.customer);
    }

    let reopened = false;
    let customerMessage: { id: string; body: string | null } | null = null;
    let owner = thread.owner;
    if (action.direction === 'out') {
      const outcome = await this.ingestOwn(thread, action, receivedAt);
      if (outcome) return outcome;
    } else {
      const { message, created: stored } = await this.messages.importExternal({
        chatId: thread.chatId,
        externalId: action.externalMessageId,
        senderContactId: thread.contactId,
        body: action.body,
        createdAt: action.createdAt,
      });
      if (stored) this.health.countMessageCreated('bridge');
      if (stored || created) await this.queueFiles(row, thread, message.id, action);
      const touched = await this.inbox.touchFromCustomer(thread.chatId, action.createdAt, action.context && Object.keys(action.context).length > 1 ? action.context : null);
      reopened = !!touched?.reopened;
      customerMessage = message;
      owner = touched?.thread.owner ?? owner;
      // The message is stored whatever the agent does; a failure here (Redis down) must not fail the event,
      // whose retry would find the message already stored and never reach the agent again either.
      if (stored) {
        await this.ai.onCustomerMessage(touched?.thread ?? thread, message, new Date(receivedAt).getTime()).catch((error: Error) =>
          this.logger.warn({ err: error, chatId: thread.chatId }, 'the AI agent could not take the customer message'),
        );
      }
    }
    // A new thread, or a resolved one the customer opened again, reaches the channel's people live.
    if (created || reopened) {
      // While the AI agent answers, nobody is given the thread; the hand-off assigns it.
      if (owner !== 'ai') await this.autoAssign.assign(thread.chatId);
      await this.views.announce(thread.chatId);
    }
    // After auto-assignment, so the assignee is known; also on a re-run, since the outbox keeps one card per operator.
    // While the AI agent answers, people are not called to the thread; its hand-off alerts them with the reason.
    if (customerMessage && owner !== 'ai') await this.alerts.onCustomerMessage(thread, customerMessage);
    return undefined;
  }

  /**
   * A message the business account wrote. Our own send, echoed back: already stored, linked by the provider's id.
   * Written in the provider's app on a phone: stored as an outgoing message without a sender, so the thread is whole.
   */
  private async ingestOwn(thread: InboxThreadRow, action: MessageAction, receivedAt: Date): Promise<JobOutcome> {
    if (await this.messages.findExternal(thread.chatId, action.externalMessageId)) return undefined;
    const inFlight = await this.messages.hasDeliveryInFlight(thread.chatId);
    if (inFlight && Date.now() - new Date(receivedAt).getTime() < ECHO_GRACE_MS) return { retryAt: new Date(Date.now() + ECHO_RETRY_MS) };
    const { message, created } = await this.messages.importExternal({
      chatId: thread.chatId,
      externalId: action.externalMessageId,
      senderContactId: null,
      body: action.body,
      createdAt: action.createdAt,
    });
    if (created) {
      await this.inbox.touch(thread.chatId, action.createdAt);
      const row = await this.channelRows.findById(thread.channelId);
      if (row) await this.queueFiles(row, thread, message.id, action);
    }
    return undefined;
  }

  private async createThread(row: ChannelRow, action: MessageAction): Promise<{ thread: InboxThreadRow; created: boolean }> {
    const existing = await this.inbox.findThread(row.id, action.externalChatId);
    if (existing) return { thread: existing, created: false };
    let customer: InboundPerson | null = action.customer;
    let context = action.context ?? null;
    if (row.type === 'avito') {
      const details = await this.avitoChatDetails(row, action.externalChatId);
      if (details) {
        customer = details.customer ?? customer;
        context = { ...(details.context ?? {}), ...(context ?? {}) };
      }
    }
    if (!customer) throw new Error(`no customer known for chat ${action.externalChatId}`);
    const name = customer.name || `${row.type === 'avito' ? 'Avito' : row.type === 'web' ? 'Website' : 'Telegram'} customer ${customer.externalId}`;
    const contact = await this.inbox.upsertContact(row.id, customer.externalId, { ...customer, name });
    const chat = await this.chats.createInboxThread(contact.name, await this.access.threadMemberIds(row.id));
    const thread = await this.inbox.insertThread({
      chatId: chat.id,
      channelId: row.id,
      externalChatId: action.externalChatId,
      contactId: contact.id,
      context,
      owner: this.ai.initialOwner(row.ai),
    });
    return { thread, created: true };
  }

  /** The customer's name, avatar and profile, and the listing, from Avito's chat info (the webhook carries none). */
  private async avitoChatDetails(row: ChannelRow, externalChatId: string): Promise<{ customer: InboundPerson | null; context: AvitoContext | null } | null> {
    let chat: AvitoChat;
    try {
      chat = await this.avito.getChat(this.channels.toProviderChannel(row), externalChatId);
    } catch (error) {
      this.logger.warn({ channelId: row.id, err: error instanceof Error ? error.message : String(error) }, 'Avito chat details unavailable');
      return null;
    }
    const other = chat.users?.find((u) => String(u.id) !== row.externalAccountId);
    const customer = other
      ? {
          externalId: String(other.id),
          name: other.name ?? '',
          avatarUrl: other.public_user_profile?.avatar?.default ?? largestImage(other.public_user_profile?.avatar?.images) ?? null,
          profileUrl: other.public_user_profile?.url ?? null,
        }
      : null;
    const item = chat.context?.type === 'item' ? chat.context.value : undefined;
    const context = item
      ? {
          itemId: item.id !== undefined ? String(item.id) : undefined,
          title: item.title,
          price: item.price_string,
          url: item.url,
          imageUrl: item.images?.main ? largestImage(item.images.main) : undefined,
        }
      : null;
    return { customer, context };
  }

  private async queueFiles(row: ChannelRow, thread: InboxThreadRow, messageId: string, action: MessageAction): Promise<void> {
    const files = action.files.map((file, position) => ({
      name: JobName.BridgeInboundFile as const,
      data: { channelId: row.id, chatId: thread.chatId, messageId, position, fileName: file.fileName, contentType: file.contentType, source: file.source },
      options: { jobId: `inbound-file-${messageId}-${position}` },
    }));
    if (files.length) await this.jobs.addBulk(files);
  }

  /** Fetches one customer file into our storage; a file the provider no longer has leaves a note in the message. */
  async fetchFile(data: JobPayloads[JobName.BridgeInboundFile]): Promise<void> {
    const channel = await this.channels.providerChannel(data.channelId);
    if (!channel) return;
    let source = data.source;
    if (source.kind === 'avito-voice') {
      const url = await this.avito.voiceUrl(channel, source.voiceId);
      if (!url) throw new PermanentJobError('Avito has no link for this voice message any more');
      source = { kind: 'url', url };
    }
    const file = await this.download(channel, source);
    await this.attachments.importFile({
      chatId: data.chatId,
      messageId: data.messageId,
      position: data.position,
      fileName: data.fileName,
      contentType: file.contentType ?? data.contentType,
      data: file.data,
    });
    await this.messages.announceUpdated(data.messageId);
  }

  private async download(channel: ProviderChannel, source: { kind: 'telegram-file'; fileId: string } | { kind: 'url'; url: string }) {
    try {
      return await (channel.type === 'telegram' ? this.telegram : this.avito).downloadFile(channel, source);
    } catch (error) {
      if (error instanceof ProviderError && error.failure.kind === 'rejected') throw new PermanentJobError(error.message);
      throw error;
    }
  }
}

/** A website visitor's message in the shape of a provider event, so it takes the same path. */
const visitorAction = (visitor: { visitorId: string; name: string }, externalMessageId: string, body: string): MessageAction => ({
  kind: 'message',
  direction: 'in',
  externalChatId: visitor.visitorId,
  externalMessageId,
  customer: { externalId: visitor.visitorId, name: visitor.name },
  body,
  files: [],
  createdAt: new Date(),
  context: null,
});

type AvitoContext = { itemId?: string; title?: string; price?: string; url?: string; imageUrl?: string };

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext } from '@/core/auth';
import { channelLimit, conflict } from '@/core/errors';
import { type JobContext, JobName, type JobOutcome } from '@/core/jobs';
import { type DeliveryState, type HookedMessage, type MessageChange, type MessageDelivery, MessageHookRegistry, type TransactionQuery } from '@/core/message-hooks';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import type { MessageResponseDto } from '@/schemas/message.dto';
import { AttachmentService } from '@/services/attachment.service';
import { MessageService } from '@/services/message.service';
import type { DeliveryPayload, DeliveryRow } from '@/modules/bridge/models/delivery.model';
import { CHANNEL_CAPABILITIES, type ChannelProvider, ProviderError, type ProviderChannel, type ProviderFailure } from '@/modules/bridge/repositories/channel-provider';
import { DeliveryMetricsRepository } from '@/modules/bridge/repositories/delivery-metrics.repository';
import { type DeliveryOutcome, DeliveryRepository } from '@/modules/bridge/repositories/delivery.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { type LimitScope, ProviderLimiterRepository } from '@/modules/bridge/repositories/provider-limiter.repository';
import { ChannelService } from './channel.service';
import { AiAgentService } from './ai-agent.service';
import { CollisionService } from './collision.service';
import { WidgetPushService } from './widget-push.service';

/** Telegram's limit for a caption; longer text goes out as its own message before the files. */
const TELEGRAM_CAPTION_MAX = 1024;
/** Telegram takes uploads up to 50 MB (photos up to 10 MB are sent as photos, bigger ones as documents). */
const TELEGRAM_UPLOAD_MAX_BYTES = 50 * 1024 * 1024;
/** How many stale rows one sweep looks at; the next sweep takes the rest. */
const SWEEP_BATCH = 500;
/** States in which a job for the row is still going to run. */
const LIVE_JOB_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

type Part = { kind: 'text'; text: string } | { kind: 'file'; index: number; caption?: string };

/** An at-least-once row is sent again once after an unknown outcome; a second unknown stays unknown. */
const MAX_RESENDS = 1;

export const jobIdOf = (row: Pick<DeliveryRow, 'id' | 'generation'>) => `delivery-${row.id}-${row.generation}`;
const after = (ms: number): JobOutcome => ({ retryAt: new Date(Date.now() + Math.max(Math.ceil(ms), 1)) });

/** The parts of a send, in the order they go out; the same payload always gives the same list, so `partsSent` stays valid. */
export function partsOf(type: ProviderChannel['type'], payload: DeliveryPayload): Part[] {
  const text = payload.text.trim() ? payload.text : '';
  if (payload.files.length === 0) return [{ kind: 'text', text }];
  const files: Part[] = payload.files.map((_, index) => ({ kind: 'file', index }));
  if (!text) return files;
  if (type === 'telegram' && text.length <= TELEGRAM_CAPTION_MAX) return [{ kind: 'file', index: 0, caption: text }, ...files.slice(1)];
  return [{ kind: 'text', text }, ...files];
}

/** The state a provider failure leaves the delivery in (before retries are counted). */
export function stateOf(failure: ProviderFailure): DeliveryState | 'retry' | 'pause' {
  switch (failure.kind) {
    case 'rate-limited':
      return 'pause';
    case 'blocked':
      return 'blocked';
    case 'rejected':
      return 'failed';
    case 'transient':
      return 'retry';
    case 'unknown':
      return 'unknown';
  }
}

/**
 * The outbound half of the bridge: an operator's message in an inbox thread becomes an outbox row in the message's
 * own transaction (through the messenger's hook), then a job keyed by the row sends it through the channel's
 * provider within the shared limits, and every state change reaches the message (see ARCHITECTURE.md).
 */
@Injectable()
export class OutboundService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Outbound');
  /** Rows written by a hook in this process, enqueued once their message's transaction has committed. */
  private readonly afterCommit = new Map<string, Array<Pick<DeliveryRow, 'id' | 'generation'>>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hooks: MessageHookRegistry,
    private readonly deliveries: DeliveryRepository,
    private readonly inbox: InboxRepository,
    private readonly limiter: ProviderLimiterRepository,
    private readonly metrics: DeliveryMetricsRepository,
    private readonly jobs: JobRepository,
    private readonly events: EventRepository,
    private readonly messages: MessageService,
    private readonly attachments: AttachmentService,
    private readonly channels: ChannelService,
    private readonly collisions: CollisionService,
    private readonly ai: AiAgentService,
    private readonly widget: WidgetPushService,
  ) {}

  onModuleInit(): void {
    this.hooks.register('inbox', { beforeCommit: (tx, change) => this.beforeCommit(tx, change) });
    // Avito says how much of its window is left; at zero the account slows down before Avito answers 429.
    this.channels.provider('avito').onRateLimitHeaders = (channelId, headers) => {
      if (headers.remaining === 0) void this.limiter.slowDown(channelId).catch(() => undefined);
    };
    const enqueue = ({ message }: { message: MessageResponseDto }) => void this.enqueueCommitted(message.id);
    this.events.on('message.created', enqueue);
    this.events.on('message.updated', enqueue);
    this.events.on('message.deleted', enqueue);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.jobs.schedule(JobName.BridgeDeliverySweep, {}, this.config.bridge.deliverySweepSeconds * 1000);
  }

  // ---- inside the message's transaction ----

  private async beforeCommit(tx: TransactionQuery, change: MessageChange): Promise<{ delivery?: MessageDelivery } | void> {
    const message = change.message;
    // The owner check and hand-off come first: an AI answer that lost to a person rolls back here, before any outbox row.
    await this.ai.beforeCommit(tx, change);
    // Customers' messages and internal notes never go out; nor do messages written without a user (imports), except the AI agent's.
    if (message.internal || (message.senderId === null && message.senderKind !== 'ai')) return;
    const thread = await this.deliveries.threadInTransaction(tx, message.chatId);
    if (!thread) return;
    if (thread.channelDeleted) {
      if (change.kind !== 'created') return;
      throw conflict('the channel of this thread was deleted, so the customer cannot be reached; an internal note still can be written');
    }
    const capabilities = CHANNEL_CAPABILITIES[thread.channelType];
    const target = { channelId: thread.channelId, externalChatId: thread.externalChatId, contactId: thread.contactId, messageId: message.id };

    if (change.kind === 'created') {
      this.checkLimits(thread.channelType, message);
      await this.collisions.checkReply(tx, message);
      // The first response time is a person's: the AI agent's answers do not stop its clock.
      if (message.senderId) await this.inbox.markRepliedInTransaction(tx, message.chatId, message.senderId);
      const row = await this.deliveries.insertInTransaction(tx, {
        kind: 'reply',
        action: 'send',
        ...target,
        payload: { text: message.body, files: message.attachments.map((a) => ({ attachmentId: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size })) },
      });
      this.remember(message.id, row);
      return { delivery: { state: 'queued', updatedAt: new Date().toISOString() } };
    }

    const send = await this.deliveries.sendOfMessageInTransaction(tx, message.id);
    if (change.kind === 'edited') {
      if (!capabilities.canEdit) throw channelLimit('canEdit', `a ${thread.channelType} channel cannot edit a message once sent`, ['body']);
      if (message.body.length > capabilities.maxTextLength) {
        throw channelLimit('maxTextLength', `the text is longer than this channel takes: at most ${capabilities.maxTextLength} characters`, ['body']);
      }
      if (!send || send.state === 'blocked') return;
      // Not out yet (or to be sent again by hand): the send itself carries the new text.
      if (await this.deliveries.rewriteQueuedInTransaction(tx, send.id, { text: message.body })) return;
      const row = await this.deliveries.insertInTransaction(tx, { kind: 'reply', action: 'edit', ...target, payload: { text: message.body, files: [] } });
      this.remember(message.id, row);
      return;
    }

    if (!send) return;
    if (await this.deliveries.rewriteQueuedInTransaction(tx, send.id, { cancel: { code: 'DELETED', message: 'deleted before it was sent' } })) return;
    if (send.state !== 'sent' && send.state !== 'sending') return;
    // Past the provider's window the message is deleted here only; the customer keeps their copy.
    const sentAt = send.sentAt ? new Date(send.sentAt).getTime() : Date.now();
    if (Date.now() - sentAt > capabilities.deleteWindowSeconds * 1000) return;
    const row = await this.deliveries.insertInTransaction(tx, { kind: 'reply', action: 'delete', ...target, payload: { text: '', files: [] } });
    this.remember(message.id, row);
  }

  /** Refuses what the channel cannot carry, before anything is stored. */
  private checkLimits(type: ProviderChannel['type'], message: HookedMessage): void {
    const capabilities = CHANNEL_CAPABILITIES[type];
    if (message.body.length > capabilities.maxTextLength) {
      throw channelLimit('maxTextLength', `the text is longer than this channel takes: at most ${capabilities.maxTextLength} characters`, ['body']);
    }
    for (const file of message.attachments) {
      if (capabilities.attachments === 'images' && !file.contentType.startsWith('image/')) {
        throw channelLimit('attachments', `a ${type} channel takes images only, not ${file.contentType} ("${file.fileName}")`, ['attachmentIds']);
      }
      if (type === 'telegram' && file.size > TELEGRAM_UPLOAD_MAX_BYTES) {
        throw channelLimit('attachments', `Telegram takes files up to 50 MB; "${file.fileName}" is larger`, ['attachmentIds']);
      }
    }
  }

  private remember(messageId: string, row: DeliveryRow): void {
    this.afterCommit.set(messageId, [...(this.afterCommit.get(messageId) ?? []), { id: row.id, generation: row.generation }]);
    // A transaction that rolled back never announces its message; forget its rows after a while (the sweeper has the rest).
    setTimeout(() => this.afterCommit.delete(messageId), 60_000).unref();
  }

  private async enqueueCommitted(messageId: string): Promise<void> {
    const rows = this.afterCommit.get(messageId);
    if (!rows) return;
    this.afterCommit.delete(messageId);
    await this.enqueue(rows).catch((error: Error) => this.logger.warn({ err: error, messageId }, 'delivery not queued now; the sweeper will'));
  }

  /** Queues rows written outside a message's transaction (notifications, alert cards), once their own transaction committed. */
  async enqueueRows(rows: Array<Pick<DeliveryRow, 'id' | 'generation'>>): Promise<void> {
    await this.enqueue(rows);
  }

  private async enqueue(rows: Array<Pick<DeliveryRow, 'id' | 'generation'>>): Promise<void> {
    await this.jobs.addBulk(rows.map((row) => ({ name: JobName.BridgeDelivery, data: { deliveryId: row.id, generation: row.generation }, options: { jobId: jobIdOf(row) } })));
  }

  // ---- the delivery job ----

  async deliver(deliveryId: string, generation: number, context: JobContext): Promise<JobOutcome> {
    const row = await this.deliveries.findById(deliveryId);
    // Gone, or an older round: a redelivery or the sweeper started a new one with its own job.
    if (!row || row.generation !== generation) return;
    if (row.state === 'sending') return this.interrupted(row);
    if (row.state !== 'queued') return;

    const channel = await this.channels.providerChannel(row.channelId);
    if (!channel) {
      await this.conclude(row, null, ['queued'], { state: 'failed', errorCode: 'CHANNEL_GONE', errorMessage: 'the channel was deleted' });
      return;
    }
    if (channel.type === 'web') return this.deliverToVisitor(row, channel, context);
    const provider = this.channels.provider(channel.type);
    const scope = this.scopeOf(channel, row);

    const slot = await this.limiter.reserveOnce(scope, `${row.id}.${row.generation}`);
    if (slot > 0) return after(slot);
    const wait = await this.limiter.gate(scope, row.id);
    if (wait > 0) return after(wait);

    try {
      const claimed = await this.deliveries.claim(row.id, row.generation);
      if (!claimed) return;
      await this.mirror(claimed, 'sending');
      return await this.call(provider, channel, scope, claimed, context);
    } finally {
      await this.limiter.release(scope, row.id);
    }
  }

  /**
   * A web thread has no provider and no limits to keep: the message is emitted to the visitor's room on the /widget
   * namespace, and that emit is the send. Only a process without the socket server fails, and then it retries.
   */
  private async deliverToVisitor(row: DeliveryRow, channel: ProviderChannel, context: JobContext): Promise<JobOutcome> {
    const claimed = await this.deliveries.claim(row.id, row.generation);
    if (!claimed) return;
    await this.mirror(claimed, 'sending');
    try {
      const externalId = await this.widget.push(claimed);
      await this.conclude(claimed, channel, ['sending'], { state: 'sent', externalId });
    } catch (error) {
      const failure: ProviderFailure = error instanceof ProviderError ? error.failure : { kind: 'transient', description: (error as Error).message ?? String(error) };
      const description = failure.kind === 'rate-limited' ? 'rate limited' : failure.description;
      if (failure.kind === 'transient' && context.attempt < context.maxAttempts) {
        await this.deliveries.release(claimed.id, claimed.generation, { code: 'TRANSIENT', message: description });
        await this.mirror(claimed, 'queued', { code: 'TRANSIENT', message: description });
        throw new Error(`visitor delivery will retry: ${description}`);
      }
      await this.conclude(claimed, channel, ['sending'], { state: 'failed', errorCode: failure.kind.toUpperCase().replace('-', '_'), errorMessage: description });
    }
  }

  private async call(provider: ChannelProvider, channel: ProviderChannel, scope: LimitScope, row: DeliveryRow, context: JobContext): Promise<JobOutcome> {
    let externalId = row.externalId;
    try {
      if (row.action === 'send') {
        const parts = partsOf(channel.type, row.payload);
        for (let i = row.partsSent; i < parts.length; i++) {
          const sent = await this.sendPart(provider, channel, row, parts[i]);
          await this.deliveries.partSent(row.id, row.generation, i + 1, sent);
          if (externalId) continue;
          externalId = sent;
          // Linked while the delivery still shows in flight, so the provider's echo of it is recognised as ours.
          if (row.messageId && row.kind === 'reply') await this.messages.linkExternalId(row.messageId, sent);
        }
      } else {
        const target = row.payload.externalMessageId ?? (await this.sentIdOf(row));
        if (target === 'wait') {
          await this.deliveries.release(row.id, row.generation);
          return after(1000);
        }
        if (target === null) {
          await this.conclude(row, channel, ['sending'], { state: 'failed', errorCode: 'NOT_SENT', errorMessage: 'the message never reached the customer' });
          return;
        }
        if (row.action === 'edit') await provider.editText(channel, row.externalChatId, target, row.payload.text);
        else await provider.deleteMessage(channel, row.externalChatId, target);
        externalId = target;
      }
    } catch (error) {
      return this.failed(row, channel, scope, context, error);
    }
    await this.conclude(row, channel, ['sending'], { state: 'sent', externalId });
  }

  private async sendPart(provider: ChannelProvider, channel: ProviderChannel, row: DeliveryRow, part: Part): Promise<string> {
    if (part.kind === 'text') return (await provider.sendText(channel, { externalChatId: row.externalChatId, text: part.text, buttons: row.payload.buttons })).externalId;
    const file = row.payload.files[part.index];
    // Read before the call, so a storage problem can never look like a request that may have reached the provider.
    const stored = await this.attachments.readForModule(file.attachmentId).catch((error: Error) => {
      throw new ProviderError({ kind: 'transient', description: `could not read "${file.fileName}" from storage: ${error.message}` });
    });
    if (!stored) throw new ProviderError({ kind: 'rejected', status: 0, description: `the file "${file.fileName}" is no longer stored` });
    return (
      await provider.sendFile(channel, {
        externalChatId: row.externalChatId,
        caption: part.caption,
        fileName: stored.fileName,
        contentType: stored.contentType,
        data: stored.data,
      })
    ).externalId;
  }

  /** The provider's id of the message an edit or delete is about; 'wait' while its send is still moving. */
  private async sentIdOf(row: DeliveryRow): Promise<string | null | 'wait'> {
    if (!row.messageId) return null;
    const send = (await this.deliveries.findByMessage(row.messageId)).find((d) => d.action === 'send');
    if (!send) return null;
    if (send.state === 'queued' || send.state === 'sending') return 'wait';
    return send.state === 'sent' ? send.externalId : null;
  }

  private async failed(row: DeliveryRow, channel: ProviderChannel, scope: LimitScope, context: JobContext, error: unknown): Promise<JobOutcome> {
    // Anything the provider client did not classify happened around a written request: assume it may have arrived.
    const failure: ProviderFailure = error instanceof ProviderError ? error.failure : { kind: 'unknown', description: (error as Error).message ?? String(error) };
    const code = failure.kind === 'rejected' ? `HTTP_${failure.status}` : failure.kind.toUpperCase().replace('-', '_');
    const description = failure.kind === 'rate-limited' ? `rate limited: retry after ${failure.retryAfterSeconds} s` : failure.description;
    switch (stateOf(failure)) {
      case 'pause': {
        const seconds = failure.kind === 'rate-limited' ? failure.retryAfterSeconds : 1;
        this.metrics.rateLimited.inc({ provider: channel.type });
        const left = await this.limiter.pause(scope, seconds * 1000);
        await this.deliveries.release(row.id, row.generation, { code, message: description });
        await this.mirror(row, 'queued', { code, message: description });
        // Not an attempt: the job comes back when the pause is over.
        return after(left);
      }
      case 'retry': {
        if (context.attempt >= context.maxAttempts) {
          await this.conclude(row, channel, ['sending'], { state: 'failed', errorCode: code, errorMessage: `${description} (after ${context.attempt} attempts)` });
          return;
        }
        await this.deliveries.release(row.id, row.generation, { code, message: description });
        await this.mirror(row, 'queued', { code, message: description });
        throw new Error(`transient provider failure, will retry: ${description}`);
      }
      case 'blocked':
        await this.conclude(row, channel, ['sending'], { state: 'blocked', errorCode: 'BLOCKED', errorMessage: description });
        if (row.contactId) await this.inbox.markContactBlocked(row.contactId, true);
        return;
      case 'unknown':
        if (row.policy === 'at-least-once') return this.sendAgain(row, channel, { code, message: description });
        await this.conclude(row, channel, ['sending'], { state: 'unknown', errorCode: code, errorMessage: description });
        return;
      default:
        await this.conclude(row, channel, ['sending'], { state: 'failed', errorCode: code, errorMessage: description });
    }
  }

  /** This round's job ran before and stopped mid-call (the worker died): the provider may have the message. */
  private async interrupted(row: DeliveryRow): Promise<JobOutcome> {
    const channel = await this.channels.providerChannel(row.channelId);
    if (row.policy === 'at-least-once') return this.sendAgain(row, channel, { code: 'INTERRUPTED', message: 'the sender stopped mid-call' });
    await this.conclude(row, channel, ['sending'], {
      state: 'unknown',
      errorCode: 'INTERRUPTED',
      errorMessage: 'the sender stopped while the request was in flight; it may or may not have arrived',
    });
  }

  /** At-least-once: an outcome we cannot know is sent again, and counted as a possible duplicate. */
  private async sendAgain(row: DeliveryRow, channel: ProviderChannel | null, why: { code: string; message: string }): Promise<JobOutcome> {
    if (row.resends >= MAX_RESENDS) {
      await this.conclude(row, channel, ['sending'], { state: 'unknown', errorCode: why.code, errorMessage: `${why.message} (after ${row.resends} resend)` });
      return;
    }
    this.metrics.unknown.inc({ provider: channel?.type ?? 'unknown', kind: row.kind });
    this.metrics.possibleDuplicates.inc({ provider: channel?.type ?? 'unknown', kind: row.kind });
    await this.deliveries.releaseForResend(row.id, row.generation, why);
    await this.mirror(row, 'queued', why);
    return after(1);
  }

  /** A final state for this round, mirrored onto the message and counted. */
  private async conclude(row: DeliveryRow, channel: ProviderChannel | null, from: DeliveryState[], outcome: DeliveryOutcome): Promise<void> {
    const done = await this.deliveries.finish(row.id, row.generation, from, outcome);
    if (!done) return;
    const provider = channel?.type ?? 'unknown';
    this.metrics.deliveries.inc({ provider, kind: done.kind, state: done.state });
    this.metrics.duration.observe({ provider, kind: done.kind, state: done.state }, (Date.now() - new Date(done.createdAt).getTime()) / 1000);
    if (done.state === 'unknown') this.metrics.unknown.inc({ provider, kind: done.kind });
    await this.mirror(done, done.state);
    if (done.state !== 'sent') this.logger.warn({ deliveryId: done.id, action: done.action, state: done.state, code: done.errorCode }, 'delivery not sent');
  }

  /**
   * Shows a send's state on its message (edits and deletes keep the message's own). A queued one may carry why it
   * waits (a 429, a transient failure), so operators see it is held, not lost.
   */
  private async mirror(row: DeliveryRow, state: DeliveryState, why?: { code: string; message: string }): Promise<void> {
    // An alert card names the customer's message it is about; its state is the card's own, not that message's.
    if (row.action !== 'send' || !row.messageId || row.kind !== 'reply') return;
    const final = state !== 'sent' && state !== 'sending' && state !== 'queued';
    const error = why ?? (final && row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : undefined);
    await this.messages.setDelivery(row.messageId, {
      state,
      ...(error ? { error } : {}),
      ...(row.externalId && state === 'sent' ? { externalId: row.externalId } : {}),
      updatedAt: new Date().toISOString(),
    });
  }

  private scopeOf(channel: ProviderChannel, row: DeliveryRow): LimitScope {
    // Keyed by our channel id: one channel is one bot or one Avito account.
    const account = channel.id;
    if (channel.type === 'telegram') {
      // Telegram's group and channel chat ids are negative; private chats are positive.
      return { provider: 'telegram', account, chat: row.externalChatId, group: row.externalChatId.startsWith('-') };
    }
    return { provider: 'avito', account, chat: row.externalChatId, sendsPerMinute: this.config.bridge.avitoSendsPerMinute };
  }

  /** Called once, after the last attempt failed for a reason the handler did not catch. */
  async deliveryFailedForGood(deliveryId: string, generation: number, error: Error): Promise<void> {
    const row = await this.deliveries.findById(deliveryId);
    if (!row || row.generation !== generation) return;
    const channel = await this.channels.providerChannel(row.channelId).catch(() => null);
    // A job killed twice with its process stalls for good without ever calling out: the row stays queued and the
    // sweeper gives it a new round, instead of a crash showing as a provider failure.
    if (row.state === 'queued' && /stalled/i.test(error.message)) return;
    // A row left 'sending' may have reached the provider; one still 'queued' never did.
    if (row.state === 'sending') await this.conclude(row, channel, ['sending'], { state: 'unknown', errorCode: 'INTERRUPTED', errorMessage: error.message });
    else await this.conclude(row, channel, ['queued'], { state: 'failed', errorCode: 'GAVE_UP', errorMessage: error.message });
  }

  // ---- the sweeper ----

  /**
   * Rows nobody moved for a sweep interval: a queued row whose job is gone (the process crashed between the commit
   * and the enqueue, or the job was lost) gets a new round; a row left 'sending' without a running job is `unknown`.
   */
  async sweep(): Promise<{ requeued: number; unknown: number }> {
    const stale = await this.deliveries.stale(this.config.bridge.deliverySweepSeconds, SWEEP_BATCH);
    let requeued = 0;
    let unknown = 0;
    for (const row of stale) {
      const state = await this.jobs.jobState(JobName.BridgeDelivery, jobIdOf(row));
      if (state && LIVE_JOB_STATES.has(state)) continue;
      if (row.state === 'queued') {
        const renewed = await this.deliveries.renew(row.id, row.generation);
        if (!renewed) continue;
        await this.enqueue([renewed]);
        requeued++;
      } else {
        const channel = await this.channels.providerChannel(row.channelId).catch(() => null);
        await this.conclude(row, channel, ['sending'], {
          state: 'unknown',
          errorCode: 'INTERRUPTED',
          errorMessage: 'the sender stopped while the request was in flight; it may or may not have arrived',
        });
        unknown++;
      }
    }
    if (requeued || unknown) this.logger.log({ requeued, unknown }, 'delivery sweep');
    return { requeued, unknown };
  }

  // ---- the operator's redelivery ----

  /** Sends a `failed` or `unknown` message again, on purpose (it may arrive twice if it was `unknown`). */
  async redeliver(auth: AuthContext, messageId: string): Promise<MessageResponseDto> {
    await this.messages.get(auth, messageId);
    const send = (await this.deliveries.findByMessage(messageId)).find((d) => d.action === 'send');
    if (!send) throw conflict('this message is not delivered to a channel');
    if (send.state !== 'failed' && send.state !== 'unknown') throw conflict(`only a failed or unknown delivery can be sent again; this one is ${send.state}`);
    const restarted = await this.deliveries.restart(send.id);
    if (!restarted) throw conflict('the delivery changed meanwhile; reload the message');
    await this.mirror(restarted, 'queued');
    await this.enqueue([restarted]);
    return this.messages.get(auth, messageId);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext } from '@/core/auth';
import { badRequest, forbidden, notFound, rateLimited } from '@/core/errors';
import { type HookedMessage, type MessageDelivery, MessageHookRegistry } from '@/core/message-hooks';
import { LeasedLimiter } from '@/core/leased-limiter';
import { SeqGate } from '@/core/seq-gate';
import { isUnavailableError } from '@/core/unavailable';
import type { MessageAttachmentRow } from '@/models/attachment.entity';
import type { MessageEntity } from '@/models/message.entity';
import { ChatRepository } from '@/repositories/chat.repository';
import { EventRepository } from '@/repositories/event.repository';
import { type InsertResult, MessageRepository, type NewMessage } from '@/repositories/message.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import {
  toMessageResponse,
  type EditMessageDto,
  type ListMessagesQueryDto,
  type MessageListResponseDto,
  type MessageResponseDto,
  type SendMessageDto,
} from '@/schemas/message.dto';

const toHooked = (m: MessageEntity, attachments: MessageAttachmentRow[]): HookedMessage => ({
  id: m.id,
  chatId: m.chatId,
  seq: m.seq,
  senderId: m.senderId,
  senderContactId: m.senderContactId,
  senderKind: m.senderKind ?? null,
  body: m.body,
  internal: m.internal,
  attachments: attachments.map((a) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size })),
  delivery: m.delivery,
});

@Injectable()
export class MessageService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messages: MessageRepository,
    private readonly chats: ChatRepository,
    private readonly events: EventRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly hooks: MessageHookRegistry,
  ) {
    const { limit, windowSeconds } = config.rateLimits.messages;
    this.sendLimit = new LeasedLimiter(limit, (userId, units) => this.rateLimits.reserve('send', userId, windowSeconds, units));
  }

  /** Lets each chat's message.created events leave this instance in seq order. */
  private readonly order = new SeqGate();

  /** The per-user send limit, counted here and reserved from Redis in leases (no round trip per send). */
  private readonly sendLimit: LeasedLimiter;

  /**
   * Persists once per (sender, clientId); `created` is false when the same clientId was already stored.
   * The broadcast leaves on a later turn of the event loop, so a transport that answers its caller as soon as
   * this resolves (a socket ack) answers before the sender hears its own message.
   */
  async send(auth: AuthContext, chatId: string, dto: SendMessageDto): Promise<{ message: MessageResponseDto; created: boolean }> {
    // Redis down: sends are still stored (the database is the truth), only unlimited for the outage.
    const decision = await Promise.resolve(this.sendLimit.take(auth.userId)).catch((error: unknown) => {
      if (isUnavailableError(error)) return null;
      throw error;
    });
    if (decision && !decision.ok) throw rateLimited(decision.retryAfterSeconds);

    if (dto.replyToId && !(await this.messages.existsInChat(dto.replyToId, chatId))) {
      // Either the chat is foreign (404 wins below) or the reply target is not in it.
      if (!(await this.chats.findForMember(chatId, auth.userId))) throw notFound('Chat');
      throw badRequest('replyToId must be a message of this chat', ['replyToId']);
    }
    const input: NewMessage = {
      chatId,
      senderId: auth.userId,
      clientId: dto.clientId,
      body: dto.body ?? '',
      replyToId: dto.replyToId ?? null,
      internal: dto.internal ?? false,
    };
    const ticket = this.order.enter(chatId);
    // A created message releases its ticket below, in the same turn; any other outcome gives it up on the next one.
    const result = await this.insert(input, dto.attachmentIds ?? [], dto.force ?? false).finally(() => setImmediate(() => ticket.abandon()));
    if (result.status === 'not_member') throw notFound('Chat');
    if (result.status === 'attachments_unavailable') {
      // One answer for foreign, missing, unfinished and already-sent ids, so nothing about other people's uploads leaks.
      throw badRequest('attachmentIds must be your own completed uploads to this chat that were not sent yet', ['attachmentIds']);
    }
    const message = toMessageResponse(result.message);
    if (result.status === 'duplicate') {
      // The key belongs to the sender across chats; reusing it elsewhere must not leak or move that message.
      if (result.message.chatId !== chatId) throw badRequest('clientId was already used for another chat', ['clientId']);
      return { message, created: false };
    }
    // The recipients come with the insert, so nothing awaits between it and the event: events leave in seq order.
    const { memberIds } = result;
    ticket.release(message.seq, () => setImmediate(() => this.events.emit('message.created', { chatId, message, memberIds })));
    return { message, created: true };
  }

  /**
   * One statement for chats nobody hooks; a hooked chat (or a send with files) runs in a transaction that the
   * chat type's hook may add to or refuse.
   */
  private async insert(input: NewMessage, attachmentIds: string[], force = false) {
    const hooked = this.hooks.hookedTypes();
    if (attachmentIds.length === 0) {
      const fast = await this.messages.insert(input, hooked);
      if (fast.status !== 'not_member' || hooked.length === 0) return fast;
    }
    return this.messages.insertInTransaction(input, attachmentIds, async (tx, chatType, message, attachments) => {
      const hook = this.hooks.for(chatType);
      return hook?.beforeCommit(tx, { kind: 'created', message: { ...toHooked(message, attachments), force } });
    });
  }

  /**
   * Records where an outgoing message's delivery stands, for a module that delivers it; the change reaches the
   * chat's members live and through /sync. A state older than the stored one is ignored.
   */
  async setDelivery(messageId: string, delivery: MessageDelivery): Promise<MessageResponseDto | null> {
    const updated = await this.messages.updateDelivery(messageId, delivery);
    if (!updated) return null;
    const response = toMessageResponse(updated);
    this.events.emit('message.updated', { chatId: updated.chatId, message: response, memberIds: await this.chats.memberIds(updated.chatId) });
    return response;
  }

  /** A message the caller may see (a member of its chat); anyone else gets the same 404 as for a missing id. */
  async get(auth: AuthContext, messageId: string): Promise<MessageResponseDto> {
    const { message } = await this.requireVisible(auth, messageId);
    return toMessageResponse(message);
  }

  /**
   * Stores a message that came from outside (a bridged customer, or the business account from the provider's app)
   * once per (chat, externalId), and announces it like any new message. No caller check: the caller is the bridge's
   * inbound job, acting on an authenticated webhook or a poll.
   */
  async importExternal(input: { chatId: string; externalId: string; senderContactId: string | null; body: string; createdAt: Date }): Promise<{
    message: MessageResponseDto;
    created: boolean;
  }> {
    return this.storeInOrder(input.chatId, () => this.messages.insertExternal(input));
  }

  /**
   * Posts a message written by a module's agent (the AI agent) into a chat of a hooked type, through that type's hook
   * in the same transaction, as any operator reply goes out. The hook may refuse (throw): then nothing is stored and
   * the error reaches the caller. No caller check: the caller is the module's own job.
   */
  async sendAsAgent(input: { chatId: string; clientId: string; body: string; senderKind: 'ai'; senderName: string }): Promise<{ message: MessageResponseDto; created: boolean }> {
    return this.storeInOrder(input.chatId, () =>
      this.messages.insertAgent(input, async (tx, chatType, message, attachments) =>
        this.hooks.for(chatType)?.beforeCommit(tx, { kind: 'created', message: toHooked(message, attachments) }),
      ),
    );
  }

  /**
   * A write without a user's checks (an import, a module's agent): stored in the chat's seq order and announced as
   * `message.created` when new; a duplicate answers the stored message.
   */
  private async storeInOrder(chatId: string, insert: () => Promise<InsertResult>): Promise<{ message: MessageResponseDto; created: boolean }> {
    const ticket = this.order.enter(chatId);
    const result = await insert().finally(() => setImmediate(() => ticket.abandon()));
    if (result.status === 'not_member') throw notFound('Chat');
    const message = toMessageResponse(result.message);
    if (result.status === 'duplicate') return { message, created: false };
    const { memberIds } = result;
    ticket.release(message.seq, () => setImmediate(() => this.events.emit('message.created', { chatId, message, memberIds })));
    return { message, created: true };
  }

  /** The chat's newest messages that people can see (no notes, nothing deleted), oldest first; for a module's agent. */
  async recentForAgent(chatId: string, limit: number): Promise<MessageResponseDto[]> {
    return (await this.messages.recentVisible(chatId, limit)).map((m) => toMessageResponse(m));
  }

  /**
   * A thread's messages for a module that has checked access itself (a website visitor's own thread), without
   * internal notes: the newest `limit`, or those after `after`; oldest first.
   */
  async listOutside(chatId: string, page: { limit: number; after?: number }): Promise<MessageResponseDto[]> {
    const rows = await this.messages.list(chatId, { limit: page.limit, after: page.after, withoutInternal: true });
    const items = rows.map(toMessageResponse);
    return page.after === undefined ? items.reverse() : items;
  }

  /** One message, for a module that checked access itself; null when it does not exist. */
  async viewForModule(messageId: string): Promise<MessageResponseDto | null> {
    const message = await this.messages.findById(messageId);
    return message ? toMessageResponse(message) : null;
  }

  async findExternal(chatId: string, externalId: string): Promise<MessageResponseDto | null> {
    const message = await this.messages.findByExternalId(chatId, externalId);
    return message ? toMessageResponse(message) : null;
  }

  async hasDeliveryInFlight(chatId: string): Promise<boolean> {
    return this.messages.hasDeliveryInFlight(chatId);
  }

  /** Links one of our sent messages to the provider's id for it (its echo, or a later poll, is then known as ours). */
  async linkExternalId(messageId: string, externalId: string): Promise<boolean> {
    return this.messages.setExternalId(messageId, externalId);
  }

  /** The provider says an imported message was edited: our copy follows. */
  async editImported(chatId: string, externalId: string, body: string): Promise<MessageResponseDto | null> {
    const message = await this.messages.findByExternalId(chatId, externalId);
    if (!message || message.deletedAt || message.body === body) return message ? toMessageResponse(message) : null;
    const updated = await this.messages.updateBody(message.id, body);
    if (!updated) return null;
    const response = toMessageResponse(updated);
    this.events.emit('message.updated', { chatId, message: response, memberIds: await this.chats.memberIds(chatId) });
    return response;
  }

  /** The provider says a message was deleted: ours is marked deleted too. */
  async deleteImported(chatId: string, externalId: string): Promise<boolean> {
    const message = await this.messages.findByExternalId(chatId, externalId);
    if (!message || message.deletedAt) return false;
    const deleted = await this.messages.softDelete(message.id);
    if (!deleted) return false;
    this.events.emit('message.deleted', { chatId, message: toMessageResponse(deleted), memberIds: await this.chats.memberIds(chatId) });
    return true;
  }

  /** Re-announces a message whose attachments changed after it was shown (a customer's file arrived). */
  async announceUpdated(messageId: string): Promise<void> {
    const message = await this.messages.findById(messageId);
    if (!message) return;
    this.events.emit('message.updated', { chatId: message.chatId, message: toMessageResponse(message), memberIds: await this.chats.memberIds(message.chatId) });
  }

  async list(auth: AuthContext, chatId: string, query: ListMessagesQueryDto): Promise<MessageListResponseDto> {
    const cursors = (['before', 'after', 'around'] as const).filter((key) => query[key] !== undefined);
    if (cursors.length > 1) throw badRequest(`use only one of before, after and around`, [...cursors]);
    const page = { limit: query.limit ?? 50, before: query.before, after: query.after, around: query.around };
    // Membership is checked by the page's own statement; only an empty page needs to ask whether the chat is theirs.
    const rows = await this.messages.list(chatId, { ...page, memberId: auth.userId });
    if (rows.length === 0 && !(await this.chats.findForMember(chatId, auth.userId))) throw notFound('Chat');
    return { items: rows.map(toMessageResponse) };
  }

  async edit(auth: AuthContext, messageId: string, dto: EditMessageDto): Promise<MessageResponseDto> {
    const { message, chatType } = await this.requireVisible(auth, messageId);
    if (message.senderId !== auth.userId) throw forbidden('only the author can edit a message');
    if (message.deletedAt) throw notFound('Message');
    const hook = this.hooks.for(chatType);
    const updated = await this.messages.updateBody(
      messageId,
      dto.body,
      hook && (async (tx, row) => void (await hook.beforeCommit(tx, { kind: 'edited', message: toHooked(row, []) }))),
    );
    if (!updated) throw notFound('Message');
    const response = toMessageResponse(updated);
    this.events.emit('message.updated', { chatId: updated.chatId, message: response, memberIds: await this.chats.memberIds(updated.chatId) });
    return response;
  }

  async delete(auth: AuthContext, messageId: string): Promise<void> {
    const { message, chatType, myRole } = await this.requireVisible(auth, messageId);
    if (message.deletedAt) return;
    const isGroupAdmin = chatType === 'group' && (myRole === 'owner' || myRole === 'admin');
    if (message.senderId !== auth.userId && !isGroupAdmin) throw forbidden('only the author or a group admin can delete a message');
    const hook = this.hooks.for(chatType);
    const deleted = await this.messages.softDelete(
      messageId,
      hook && (async (tx, row) => void (await hook.beforeCommit(tx, { kind: 'deleted', message: toHooked(row, []) }))),
    );
    if (!deleted) return;
    this.events.emit('message.deleted', {
      chatId: deleted.chatId,
      message: toMessageResponse(deleted),
      memberIds: await this.chats.memberIds(deleted.chatId),
    });
  }

  /** A message is visible only to members of its chat; anyone else gets the same 404 as for a missing id. */
  private async requireVisible(auth: AuthContext, messageId: string) {
    const message = await this.messages.findById(messageId);
    if (!message) throw notFound('Message');
    const [chat, member] = await Promise.all([
      this.chats.findForMember(message.chatId, auth.userId),
      this.chats.findMember(message.chatId, auth.userId),
    ]);
    if (!chat || !member) throw notFound('Message');
    return { message, chatType: chat.type, myRole: member.role };
  }
}

import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { ClientInfo } from '@/core/auth';
import { badRequest, DomainException, ErrorCode, notFound, rateLimited } from '@/core/errors';
import { isUnavailableError } from '@/core/unavailable';
import type { ChannelRow } from '@/modules/bridge/models/channel.model';
import type { InboxThreadRow } from '@/modules/bridge/models/inbox-thread.model';
import { ContactRepository } from '@/modules/bridge/repositories/contact.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { type VisitorClaims, VisitorTokenRepository } from '@/modules/bridge/repositories/visitor-token.repository';
import { WidgetSocketRepository } from '@/modules/bridge/repositories/widget-socket.repository';
import { webSettingsOf } from '@/modules/bridge/schemas/channel.dto';
import {
  type CreateWidgetSessionDto,
  toWidgetMessage,
  type VisitorProfileDto,
  type VisitorResponseDto,
  type WidgetHistoryQueryDto,
  type WidgetMessageDto,
  type WidgetMessageListDto,
  type WidgetSendDto,
  type WidgetSessionResponseDto,
  type WidgetUploadDto,
  WIDGET_IMAGE_MAX_BYTES,
} from '@/modules/bridge/schemas/widget.dto';
import type { AttachmentResponseDto, UploadResponseDto } from '@/schemas/attachment.dto';
import { AttachmentService } from '@/services/attachment.service';
import { EventRepository } from '@/repositories/event.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import { MessageService } from '@/services/message.service';
import { PresenceService } from '@/services/presence.service';
import { UserService } from '@/services/user.service';
import { ChannelAccessService } from './channel-access.service';
import { ChannelService } from './channel.service';
import { InboundService } from './inbound.service';
import { WidgetPushService } from './widget-push.service';

const DEFAULT_HISTORY = 100;
/** Messages one visitor may send per minute: a person types far fewer; a script hammering the inbox is cut off. */
const VISITOR_MESSAGES_PER_MINUTE = 30;
const MINUTE_SECONDS = 60;
const TYPING_INTERVAL_MS = 1000;
const TYPING_MEMORY_SWEEP_AT = 10_000;
/** Characters of the visitor id in a new visitor's default name, enough to tell visitors apart in the inbox. */
const VISITOR_TAG_LENGTH = 6;

/**
 * Website visitors: sessions (origin-checked, rate-limited per IP), their own thread's history, their messages
 * (through the inbound path) and what reaches them live. A visitor token names one contact of one web channel; every
 * call resolves the thread from it, so a visitor can never reach another thread (any other id is 404).
 */
@Injectable()
export class WidgetService implements OnModuleInit {
  private readonly logger = new Logger('Widget');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: VisitorTokenRepository,
    private readonly sockets: WidgetSocketRepository,
    private readonly contacts: ContactRepository,
    private readonly inbox: InboxRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly events: EventRepository,
    private readonly channels: ChannelService,
    private readonly access: ChannelAccessService,
    private readonly inbound: InboundService,
    private readonly messages: MessageService,
    private readonly presence: PresenceService,
    private readonly users: UserService,
    private readonly attachments: AttachmentService,
    private readonly websocket: WebsocketRepository,
    private readonly pushes: WidgetPushService,
  ) {}

  /** When each visitor's typing last went to the operators: at most one event per interval per visitor. */
  private readonly lastTyping = new Map<string, number>();

  onModuleInit(): void {
    // An operator typing in a web thread: the visitor sees who.
    this.events.on('chat.typing', (e) => void this.forwardTyping(e.chatId, e.userId).catch(() => undefined));
  }

  async openSession(channelId: string, origin: string | undefined, client: ClientInfo, dto: CreateWidgetSessionDto): Promise<WidgetSessionResponseDto> {
    const limit = this.config.rateLimits.widgetSessions;
    const hit = await this.rateLimits.hit('widget-session', client.ip, limit.windowSeconds).catch((error: unknown) => {
      if (isUnavailableError(error)) return null;
      throw error;
    });
    if (hit && hit.count > limit.limit) throw rateLimited(hit.retryAfterSeconds);

    const channel = await this.channels.webChannel(channelId);
    if (!channel) throw notFound('Channel');
    this.requireOrigin(channel, origin);

    let contact = null;
    const resumed = dto.token ? this.tokens.verify(dto.token) : null;
    if (resumed && resumed.channelId === channelId) {
      const found = await this.contacts.findById(resumed.contactId);
      if (found && found.channelId === channelId) contact = found;
    }
    const isResumed = contact !== null;
    if (!contact) {
      const visitorId = this.tokens.newVisitorId();
      contact = await this.inbox.upsertContact(channelId, visitorId, { name: dto.name ?? `Visitor ${visitorId.slice(0, VISITOR_TAG_LENGTH)}` });
    }
    if (dto.email !== undefined || (isResumed && dto.name !== undefined)) {
      contact = (await this.contacts.updateProfile(contact.id, { name: dto.name, email: dto.email })) ?? contact;
    }
    const thread = await this.inbox.findThread(channelId, contact.externalId);
    const claims: VisitorClaims = { contactId: contact.id, channelId, visitorId: contact.externalId };
    return {
      token: this.tokens.sign(claims),
      visitorId: contact.externalId,
      contactId: contact.id,
      threadId: thread?.chatId ?? null,
      resumed: isResumed,
      name: contact.name,
      email: contact.email ?? null,
      online: await this.anyoneOnline(channelId),
      channel: { id: channel.id, name: channel.name, greeting: channel.web.greeting ?? null, theme: channel.web.theme ?? null },
    };
  }

  /** The /widget namespace of this process, from the widget gateway, before it accepts connections. */
  serve(namespace: Parameters<WidgetSocketRepository['attach']>[0]): void {
    this.sockets.attach(namespace);
  }

  /** A visitor's socket joins the room that replies to this visitor are emitted to. */
  joinRoom(socket: { join(room: string): unknown }, visitor: VisitorClaims): void {
    this.sockets.joinVisitorRoom(socket, visitor.contactId);
  }

  /** The token's visitor, while their channel is still a live web channel; null otherwise (401 / refused handshake). */
  async authenticate(token: string): Promise<VisitorClaims | null> {
    const claims = this.tokens.verify(token);
    if (!claims) return null;
    const channel = await this.channels.webChannel(claims.channelId);
    return channel ? claims : null;
  }

  /** For a socket handshake: a page on an origin the channel does not list is refused (browsers always send Origin). */
  async originAllowed(claims: VisitorClaims, origin: string | undefined): Promise<boolean> {
    if (origin === undefined) return true;
    const channel = await this.channels.webChannel(claims.channelId);
    return !!channel && channel.web.allowedOrigins.includes(origin.toLowerCase());
  }

  async updateProfile(visitor: VisitorClaims, dto: VisitorProfileDto): Promise<VisitorResponseDto> {
    const contact = await this.contacts.updateProfile(visitor.contactId, dto);
    if (!contact) throw notFound('Visitor');
    return { contactId: contact.id, name: contact.name, email: contact.email ?? null };
  }

  async history(visitor: VisitorClaims, threadId: string | null | undefined, query: WidgetHistoryQueryDto): Promise<WidgetMessageListDto> {
    const thread = await this.requireThread(visitor, threadId);
    const limit = query.limit ?? DEFAULT_HISTORY;
    const items = await this.messages.listOutside(thread.chatId, { limit, after: query.after });
    return { items: await this.pushes.withNames(items), hasMore: query.after !== undefined && items.length === limit };
  }

  /** Stored once per clientId; the ack carries the stored message, the visitor's other tabs get it as message:new. */
  async send(visitor: VisitorClaims, dto: WidgetSendDto): Promise<WidgetMessageDto> {
    const hit = await this.rateLimits.hit('widget-send', visitor.contactId, MINUTE_SECONDS).catch((error: unknown) => {
      if (isUnavailableError(error)) return null;
      throw error;
    });
    if (hit && hit.count > VISITOR_MESSAGES_PER_MINUTE) throw rateLimited(hit.retryAfterSeconds);
    const files = dto.attachmentIds ?? [];
    const thread = dto.threadId || files.length ? await this.requireThread(visitor, dto.threadId) : null;
    const [channel, contact] = await Promise.all([this.channels.webChannel(visitor.channelId), this.contacts.findById(visitor.contactId)]);
    if (!channel || !contact) throw notFound('Thread');
    if (thread && files.length && !(await this.attachments.sendableByContact(files, thread.chatId, visitor.contactId))) {
      const earlier = await this.messages.findExternal(thread.chatId, `web:${dto.clientId}`);
      // A resend of a message whose files are already on it is the same message; anything else names the problem.
      if (earlier) return toWidgetMessage(earlier, null);
      throw badRequest('attachmentIds must be your own completed image uploads to this conversation that were not sent yet', ['attachmentIds']);
    }
    const accepted = await this.inbound.acceptVisitorMessage(channel, { visitorId: visitor.visitorId, name: contact.name }, dto.clientId, dto.body ?? '');
    let message = accepted.message;
    if (files.length && (await this.attachments.attachForContact(message.id, message.chatId, visitor.contactId, files)) > 0) {
      await this.messages.announceUpdated(message.id);
      message = (await this.messages.viewForModule(message.id)) ?? message;
    }
    const view = toWidgetMessage(message, null);
    if (accepted.created) setImmediate(() => this.emit(visitor.contactId, 'message:new', view));
    return view;
  }

  /** A presigned upload of an image (≤ 10 MB) to the visitor's thread, which is created now if it is their first. */
  async createUpload(visitor: VisitorClaims, dto: WidgetUploadDto): Promise<UploadResponseDto> {
    const [channel, contact] = await Promise.all([this.channels.webChannel(visitor.channelId), this.contacts.findById(visitor.contactId)]);
    if (!channel || !contact) throw notFound('Thread');
    const thread = await this.inbound.ensureVisitorThread(channel, { visitorId: visitor.visitorId, name: contact.name });
    return this.attachments.createUploadForContact(visitor.contactId, { chatId: thread.chatId, fileName: dto.fileName, contentType: dto.contentType, size: dto.size }, WIDGET_IMAGE_MAX_BYTES);
  }

  async completeUpload(visitor: VisitorClaims, uploadId: string): Promise<AttachmentResponseDto> {
    return this.attachments.completeForContact(visitor.contactId, uploadId);
  }

  async attachmentUrl(visitor: VisitorClaims, attachmentId: string): Promise<{ url: string }> {
    const thread = await this.requireThread(visitor, undefined);
    return { url: await this.attachments.downloadUrlForContact(thread.chatId, visitor.contactId, attachmentId) };
  }

  /** The visitor is typing: the thread's people see it as a `typing` event whose userId is the visitor's contact. */
  async typing(visitor: VisitorClaims, threadId: string | null | undefined): Promise<void> {
    const thread = await this.requireThread(visitor, threadId);
    const now = Date.now();
    if (now - (this.lastTyping.get(visitor.contactId) ?? 0) < TYPING_INTERVAL_MS) return;
    if (this.lastTyping.size >= TYPING_MEMORY_SWEEP_AT) {
      for (const [k, at] of this.lastTyping) if (now - at >= TYPING_INTERVAL_MS) this.lastTyping.delete(k);
    }
    this.lastTyping.set(visitor.contactId, now);
    this.websocket.emitToUsers(await this.access.threadMemberIds(visitor.channelId), 'typing', { chatId: thread.chatId, userId: visitor.contactId });
  }

  private emit(contactId: string, event: 'message:new', view: WidgetMessageDto): void {
    try {
      this.sockets.emitToVisitor(contactId, event, view);
    } catch (error) {
      this.logger.warn({ contactId, err: (error as Error).message }, 'visitor echo not emitted');
    }
  }

  private async forwardTyping(chatId: string, userId: string): Promise<void> {
    if (!this.sockets.ready) return;
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) return;
    const channel = await this.channels.webChannel(thread.channelId);
    if (!channel) return;
    const [user] = await this.users.publicUsers([userId]);
    this.sockets.emitToVisitor(thread.contactId, 'typing', { threadId: chatId, name: user?.displayName ?? null });
  }

  private requireOrigin(channel: ChannelRow, origin: string | undefined): void {
    const allowed = webSettingsOf(channel).allowedOrigins;
    if (origin && allowed.includes(origin.toLowerCase())) return;
    throw new DomainException(
      ErrorCode.OriginNotAllowed,
      origin ? `the origin ${origin} is not in this channel's allowedOrigins` : 'the Origin header is required: the widget opens sessions from the allowed sites only',
    );
  }

  /** The visitor's own thread; any other id, or none yet, is the same 404. */
  private async requireThread(visitor: VisitorClaims, threadId: string | null | undefined): Promise<InboxThreadRow> {
    const thread = await this.inbox.findThread(visitor.channelId, visitor.visitorId);
    if (!thread || thread.contactId !== visitor.contactId || (threadId && threadId !== thread.chatId)) throw notFound('Thread');
    return thread;
  }

  private async anyoneOnline(channelId: string): Promise<boolean> {
    const people = await this.access.threadMemberIds(channelId);
    if (people.length === 0) return false;
    return (await this.presence.onlineOf(people).catch(() => [])).length > 0;
  }

  /** Agent messages carry the sender's display name (or the name a module gave the message, e.g. its AI agent). */
}

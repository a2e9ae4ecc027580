import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Server } from 'socket.io';
import type { AuthContext } from '@/core/auth';
import { notFound } from '@/core/errors';
import { ChatRepository } from '@/repositories/chat.repository';
import { EventRepository } from '@/repositories/event.repository';
import { type RealtimeServer, WebsocketRepository } from '@/repositories/websocket.repository';
import { PresenceService } from './presence.service';

export const TYPING_INTERVAL_MS = 1000;
/** Past this many remembered (user, chat) pairs, stale ones are swept before another is added. */
const TYPING_MEMORY_SWEEP_AT = 10_000;

/**
 * Who gets which realtime event. Every chat event goes to the user rooms of the members the domain event
 * names, read from the database by the service that changed the chat; so a removed member drops out of
 * the very next event on every instance, and all of a user's sockets (tabs, devices) receive it.
 */
@Injectable()
export class RealtimeService implements OnModuleInit, OnApplicationShutdown {
  private subscriptions: Array<() => void> = [];
  private readonly lastTyping = new Map<string, number>();

  constructor(
    private readonly events: EventRepository,
    private readonly websocket: WebsocketRepository,
    private readonly chats: ChatRepository,
    private readonly presence: PresenceService,
  ) {}

  onModuleInit() {
    const ws = this.websocket;
    this.subscriptions = [
      this.events.on('message.created', (e) => ws.emitToUsers(e.memberIds, 'message:new', e.message)),
      this.events.on('message.updated', (e) => ws.emitToUsers(e.memberIds, 'message:updated', e.message)),
      this.events.on('message.deleted', (e) => ws.emitToUsers(e.memberIds, 'message:deleted', e.message)),
      this.events.on('chat.read', (e) => ws.emitToUsers(e.memberIds, 'read', { chatId: e.chatId, userId: e.userId, seq: e.seq })),
      this.events.on('chat.created', (e) => ws.emitToUsers(e.memberIds, 'chat:created', e.chat)),
      this.events.on('chat.updated', (e) => ws.emitToUsers(e.memberIds, 'chat:updated', e.chat)),
      this.events.on('member.added', (e) => ws.emitToUsers(e.memberIds, 'member:added', { chatId: e.chatId, userId: e.userId })),
      // memberIds still holds the removed member, who learns of it and drops the chat.
      this.events.on('member.removed', (e) => ws.emitToUsers(e.memberIds, 'member:removed', { chatId: e.chatId, userId: e.userId })),
      this.events.on('attachment.updated', (e) =>
        ws.emitToUsers(e.memberIds, 'attachment:updated', { chatId: e.chatId, messageId: e.messageId, attachment: e.attachment }),
      ),
    ];
  }

  /** Not on module destroy: sends still in flight while the gateway drains must be broadcast. */
  onApplicationShutdown() {
    for (const unsubscribe of this.subscriptions) unsubscribe();
  }

  /** The socket.io server of this process, from the chat gateway, before it accepts connections. */
  serve(server: Server): void {
    this.websocket.attach(server as RealtimeServer);
  }

  /** A socket of the user connected here: it joins the user's room before any other event can be sent to it. */
  connected(auth: AuthContext, socketId: string): Promise<void> {
    this.websocket.joinUserRoom(socketId, auth.userId);
    return this.presence.connected(auth.userId);
  }

  disconnected(auth: AuthContext): Promise<void> {
    return this.presence.disconnected(auth.userId);
  }

  /**
   * Typing goes to the other members only and is never stored. Repeats within TYPING_INTERVAL_MS are answered
   * but not fanned out again, so a client cannot multiply its events by the size of a group.
   */
  async typing(auth: AuthContext, chatId: string): Promise<void> {
    const key = `${auth.userId}:${chatId}`;
    const now = Date.now();
    if (now - (this.lastTyping.get(key) ?? 0) < TYPING_INTERVAL_MS) return;
    if (this.lastTyping.size >= TYPING_MEMORY_SWEEP_AT) {
      for (const [k, at] of this.lastTyping) if (now - at >= TYPING_INTERVAL_MS) this.lastTyping.delete(k);
    }
    // Claimed before the first await, so a burst of events arriving together fans out once, not once each.
    this.lastTyping.set(key, now);
    const memberIds = await this.chats.memberIds(chatId);
    if (!memberIds.includes(auth.userId)) throw notFound('Chat');
    this.websocket.emitToUsers(
      memberIds.filter((id) => id !== auth.userId),
      'typing',
      { chatId, userId: auth.userId },
    );
    this.events.emit('chat.typing', { chatId, userId: auth.userId });
  }

  /** Ends one socket, telling its client why (an expired token: refresh and reconnect). */
  endSocket(socket: Parameters<WebsocketRepository['endSocket']>[0], reason: 'expired' | 'revoked'): void {
    this.websocket.endSocket(socket, reason);
  }

  /**
   * Shutdown, step 1: new handshakes are refused so load balancers and clients move on, and the connected clients
   * are told to stop sending here. Returns how many sockets were told.
   */
  stopAccepting(): number {
    return this.websocket.stopAccepting();
  }

  /** Shutdown, step 2 (after in-flight events were answered): drop every local socket and its presence. */
  async closeConnections(timeoutMs: number): Promise<void> {
    this.presence.freeze();
    await this.websocket.closeLocalSockets(timeoutMs);
    await this.presence.stop();
  }
}

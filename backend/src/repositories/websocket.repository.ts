import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import {
  ServerEvent,
  type SessionEndedEventDto,
  type ClientToServerEvents,
  type ServerEventName,
  type ServerEventPayload,
  type ServerToClientEvents,
} from '@/schemas/realtime.dto';
import { RedisRepository } from './redis.repository';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents>;

type XreadReply = Array<[string, Array<[string, string[]]>]> | null;
type Xread = (...args: Array<string | number>) => Promise<XreadReply>;

export const userRoom = (userId: string) => `user:${userId}`;

/**
 * Reconnect delays of the adapter's connections: 50 ms more per attempt as ioredis does, but capped at 1 s instead
 * of 2 s, so cross-instance delivery is back within about a second of Redis (it is what users notice).
 */
export const adapterRetryDelayMs = (attempt: number) => Math.min(attempt * 50, 1000);

/** Instance-to-instance notice (socket.io serverSideEmit over the adapter): a refresh family was revoked. */
const SESSION_ENDED = 'session-ended';

/**
 * Owns the socket.io server: the cross-instance adapter, room membership and every emit. The chat gateway hands it
 * the server Nest created for it (see `attach`). It is not a gateway itself: Nest binds a disconnect listener per
 * socket for every gateway of a namespace, even one without handlers.
 */
@Injectable()
export class WebsocketRepository implements OnApplicationShutdown {
  private server?: RealtimeServer;
  private accepting = true;
  private readonly publisher: Redis;
  private readonly readers: Redis[] = [];
  private readonly sessionEndedListeners = new Set<(familyId: string) => void>();

  constructor(private readonly redis: RedisRepository) {
    this.publisher = redis.duplicate({ retryStrategy: adapterRetryDelayMs });
    // A broadcast awaits its XADD before local delivery: without Redis it fails at once (the adapter then delivers
    // locally) instead of every broadcast of the outage waiting in memory for Redis to return.
    this.publisher.options.enableOfflineQueue = false;
  }

  /** Called once, by the chat gateway's afterInit, before the server accepts a connection. */
  attach(server: RealtimeServer) {
    this.server = server;
    server.adapter(
      createAdapter(this.adapterClient(), {
        streamName: this.redis.key('socket.io'),
        channelPrefix: this.redis.key('socket.io'),
        sessionKeyPrefix: this.redis.key('socket.io-session:'),
        maxLen: 10_000,
      }),
    );
    (server as unknown as { on(event: string, listener: (familyId: unknown) => void): void }).on(SESSION_ENDED, (familyId) => {
      if (typeof familyId !== 'string') return;
      this.disconnectSession(familyId);
      for (const listener of this.sessionEndedListeners) listener(familyId);
    });
    // Refused at the transport level, so socket.io clients treat it as a network error and retry (on another instance).
    server.engine.opts.allowRequest = (_req, callback) => callback(this.accepting ? null : 'server is shutting down', this.accepting);
  }

  joinUserRoom(socketId: string, userId: string): void {
    void this.server?.sockets.sockets.get(socketId)?.join(userRoom(userId));
  }

  emitToUsers<E extends ServerEventName>(userIds: readonly string[], event: E, payload: ServerEventPayload<E>): void {
    if (!this.server || userIds.length === 0) return;
    const args = [payload] as Parameters<ServerToClientEvents[E]>;
    this.server.to(userIds.map(userRoom)).emit(event, ...args);
  }

  /** Ends a sign-in's sockets here and, through the adapter, on every other instance. */
  endSession(familyId: string): void {
    this.disconnectSession(familyId);
    (this.server as unknown as { serverSideEmit(event: string, familyId: string): void } | undefined)?.serverSideEmit(SESSION_ENDED, familyId);
  }

  /** Runs when another instance ended a sign-in. */
  onSessionEnded(listener: (familyId: string) => void): void {
    this.sessionEndedListeners.add(listener);
  }

  /** Tells the socket why, then disconnects it server-side (socket.io clients do not retry that by themselves). */
  endSocket(socket: { emit(event: 'session:ended', payload: SessionEndedEventDto): unknown; disconnect(close?: boolean): unknown }, reason: SessionEndedEventDto['reason']): void {
    socket.emit(ServerEvent.SessionEnded, { reason });
    socket.disconnect(true);
  }

  private disconnectSession(familyId: string): void {
    for (const socket of this.server?.sockets.sockets.values() ?? []) {
      if ((socket.data as { auth?: { sessionId?: string } }).auth?.sessionId === familyId) this.endSocket(socket, 'revoked');
    }
  }

  /** Refuses new handshakes and tells every socket here to stop sending (this instance's sockets only). */
  stopAccepting(): number {
    this.accepting = false;
    this.server?.local.emit(ServerEvent.ServerDraining);
    return this.localSocketCount();
  }

  localSocketCount(): number {
    return this.server?.sockets.sockets.size ?? 0;
  }

  /**
   * Closes the transport of every socket on this instance, after flushing what was already written to it.
   * Clients see "transport close" and reconnect by themselves, which a socket.io-level disconnect would prevent.
   */
  async closeLocalSockets(timeoutMs: number): Promise<void> {
    const sockets = [...(this.server?.sockets.sockets.values() ?? [])];
    const closed = sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.disconnected) return resolve();
          socket.once('disconnect', () => resolve());
          socket.conn.close();
        }),
    );
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  async onApplicationShutdown() {
    // Readers sit in a blocking XREAD, so they are cut; the publisher quits after its pending XADDs are answered.
    for (const reader of this.readers) reader.disconnect();
    await this.publisher.quit().catch(() => this.publisher.disconnect());
  }

  /** The adapter duplicates its client for the stream reader and the pub/sub listener; hand it our own, closable ones. */
  private adapterClient(): Redis {
    this.publisher.duplicate = (() => {
      const reader = this.gaplessReader(this.redis.duplicate({ retryStrategy: adapterRetryDelayMs }));
      this.readers.push(reader);
      return reader;
    }) as Redis['duplicate'];
    return this.publisher;
  }

  /**
   * The adapter reads the stream from "$" until it has seen a first entry, so an entry added between two idle
   * XREADs would be skipped. Resolving "$" to the stream's actual last id once, and following the ids read
   * afterwards, closes that window.
   */
  private gaplessReader(client: Redis): Redis {
    const xread = client.xread.bind(client) as unknown as Xread;
    let last: string | undefined;
    const patched: Xread = async (...args) => {
      const at = args.length - 1;
      if (args[at] === '$') {
        if (last === undefined) {
          const [newest] = await client.xrevrange(String(args[at - 1]), '+', '-', 'COUNT', 1);
          last = newest?.[0] ?? '0-0';
        }
        args[at] = last;
      }
      const reply = await xread(...args);
      const entries = reply?.[0]?.[1];
      if (entries?.length) last = entries[entries.length - 1][0];
      return reply;
    };
    (client as unknown as { xread: Xread }).xread = patched;
    return client;
  }
}

import { type BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { AuthContext } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { ErrorCode } from '@/core/errors';
import { secondsToMs } from '@/core/time';
import { validatePayload } from '@/core/validation';
import {
  type Ack as AckFn,
  type AckErrorDto,
  ClientEvent,
  type ClientToServerEvents,
  type ReadAckDto,
  type SendMessageAckDto,
  SOCKET_GATEWAY_OPTIONS,
  type ServerToClientEvents,
  type TypingAckDto,
  WsReadDto,
  WsTypingDto,
} from '@/schemas/realtime.dto';
import { validateSendPayload } from '@/schemas/ws-send.validator';
import { AuthService } from '@/services/auth.service';
import { ChatService } from '@/services/chat.service';
import { HealthService } from '@/services/health.service';
import { MessageService } from '@/services/message.service';
import { RealtimeService } from '@/services/realtime.service';
import { type EventWindow, spendEventBudget } from './event-budget';
import { eventListener } from './event-listener';
import { takeHandshakeToken } from './handshake-token';
import { toAckError } from './ws-error.mapper';


type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { auth: AuthContext; events?: EventWindow }>;
type Answer = { ok: true } | { ok: false; error: AckErrorDto };

const MAX_TOKEN_LENGTH = 4096;
/**
 * Events being answered at once on this instance. While the database or Redis is down answers slow down; past
 * this many the next event is refused as retryable instead of waiting in memory without bound.
 */
export const MAX_IN_FLIGHT_EVENTS = 2_000;
/**
 * How long after the `server:draining` notice a shutting-down instance keeps its sockets open (within the grace
 * period): an event a client sent before the notice reached it is still on its way, and is answered, not cut off.
 */
export const DRAIN_NOTICE_MS = 1_000;
/** How often sockets whose access token has expired are looked for and ended. */
const EXPIRY_SWEEP_MS = 1_000;

const RESTARTING: Answer = { ok: false, error: { code: ErrorCode.Unavailable, message: 'the server is restarting: reconnect and send again with the same clientId' } };

/** A refused handshake reaches the client as `connect_error` with this message and `data.code`. */
function refusal(code: ErrorCode, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * Thin transport: authenticates the handshake, validates each event with the REST DTOs and hands it to the
 * same services as the HTTP routes. Membership is checked by those services on every event.
 */
@WebSocketGateway(SOCKET_GATEWAY_OPTIONS)
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The refusal of each event still being worked on, for a shutdown whose grace period ends before it does. */
  private readonly unanswered = new Set<() => void>();
  private draining = false;
  private errorCount = 0;
  private expirySweep?: NodeJS.Timeout;
  /** The events a socket may send, answered by one listener that every socket shares (see eventListener). */
  private readonly onEvent = eventListener<ChatSocket>(
    {
      [ClientEvent.MessageSend]: (socket, payload, ack) => this.onSend(socket, payload, ack),
      [ClientEvent.Typing]: (socket, payload, ack) => this.onTyping(socket, payload, ack),
      [ClientEvent.Read]: (socket, payload, ack) => this.onRead(socket, payload, ack),
    },
    (err, event) => this.logger.error({ err, event }, 'socket event handler failed'),
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly messages: MessageService,
    private readonly chats: ChatService,
    private readonly health: HealthService,
    private readonly realtime: RealtimeService,
  ) {}

  afterInit(server: Server) {
    this.realtime.serve(server);
    this.expirySweep = setInterval(() => this.endExpired(server), EXPIRY_SWEEP_MS);
    this.expirySweep.unref();
    server.use((socket, next) => {
      const token = takeHandshakeToken(socket);
      if (typeof token !== 'string' || token.length === 0) {
        return next(refusal(ErrorCode.Unauthorized, 'an access token is required in the handshake: auth.token'));
      }
      const verified = token.length <= MAX_TOKEN_LENGTH ? this.auth.authenticate(token) : Promise.resolve(null);
      verified.then(
        (auth) => {
          if (!auth) return next(refusal(ErrorCode.Unauthorized, 'the access token is invalid or expired'));
          (socket as ChatSocket).data.auth = auth;
          next();
        },
        (error: unknown) => next(refusal(ErrorCode.Unavailable, `cannot verify the token now: ${(error as Error).message}`)),
      );
    });
  }

  handleConnection(socket: ChatSocket) {
    socket.onAny(this.onEvent);
    this.track(this.realtime.connected(socket.data.auth, socket.id));
  }

  handleDisconnect(socket: ChatSocket) {
    // A socket refused by the middleware never connected and has nothing to undo.
    if (socket.data.auth) void this.realtime.disconnected(socket.data.auth);
  }

  /**
   * A socket lives no longer than the token it was opened with: within a second of its expiry (tokens expire on whole
   * seconds) it is ended, and the client refreshes and reconnects. One sweep for all sockets rather than a timer per
   * socket, which cost a Timeout, its closure, a timer list of its own (every delay differs) and a disconnect listener.
   */
  private endExpired(server: Server): void {
    const now = Date.now();
    for (const socket of server.sockets.sockets.values()) {
      const expiresAt = (socket as ChatSocket).data.auth?.expiresAt;
      if (expiresAt !== undefined && secondsToMs(expiresAt) <= now) this.realtime.endSocket(socket, 'expired');
    }
  }

  onSend(socket: ChatSocket, payload: unknown, ack?: AckFn<SendMessageAckDto>): void {
    this.handle<SendMessageAckDto>(socket, ack, async (reply) => {
      const { chatId, ...dto } = await validateSendPayload(payload);
      const { message, created } = await this.messages.send(socket.data.auth, chatId, dto);
      // Answered before the broadcast leaves (see MessageService.send), so the sender sees its ack first.
      reply({ ok: true, message });
      if (created) this.health.countMessageCreated('ws');
    });
  }

  onTyping(socket: ChatSocket, payload: unknown, ack?: AckFn<TypingAckDto>): void {
    this.handle<TypingAckDto>(socket, ack, async (reply) => {
      const { chatId } = await validatePayload(WsTypingDto, payload);
      await this.realtime.typing(socket.data.auth, chatId);
      reply({ ok: true });
    });
  }

  onRead(socket: ChatSocket, payload: unknown, ack?: AckFn<ReadAckDto>): void {
    this.handle<ReadAckDto>(socket, ack, async (reply) => {
      const { chatId, seq } = await validatePayload(WsReadDto, payload);
      reply({ ok: true, seq: await this.chats.markRead(socket.data.auth, chatId, seq) });
    });
  }

  /**
   * SIGTERM: refuse new connections and tell the connected clients to stop sending, answer every event already
   * received (refusing retryably what outlives the grace period), then close the sockets so their clients reconnect
   * to another instance (and resync with `after=`). Database and Redis close after this hook.
   */
  async beforeApplicationShutdown() {
    this.draining = true;
    const noticed = this.realtime.stopAccepting();
    const noticedAt = Date.now();
    const grace = this.config.shutdownGraceMs;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, grace).unref())]);
    // What is still waiting (a saturated pool, a slow database) is refused retryably before its socket closes, so
    // no client is left guessing: a resend with the same clientId gets the stored message if this one still commits.
    for (const refuse of [...this.unanswered]) refuse();
    const noticeLeft = noticed > 0 ? Math.min(grace, DRAIN_NOTICE_MS) - (Date.now() - noticedAt) : 0;
    if (noticeLeft > 0) await new Promise((resolve) => setTimeout(resolve, noticeLeft).unref());
    await this.realtime.closeConnections(grace);
    clearInterval(this.expirySweep);
  }

  /** Runs one event: answers exactly once (an ack may be missing when the client did not ask for one). */
  private handle<T extends { ok: boolean }>(socket: ChatSocket, ack: AckFn<T> | undefined, work: (reply: AckFn<T>) => Promise<void>): void {
    let answered = false;
    const refuse = () => reply(RESTARTING);
    const reply = (response: T | Answer) => {
      if (answered) return;
      answered = true;
      this.unanswered.delete(refuse);
      if (typeof ack === 'function') ack(response as T);
    };
    if (this.draining) return reply(RESTARTING);
    // Refused at once rather than queued for a database connection: a send waiting seconds in the pool's queue holds
    // up every handshake and resync behind it, which is what slows reconnects when one instance carries two loads.
    if (this.inFlight.size >= MAX_IN_FLIGHT_EVENTS || this.health.databaseSaturated()) {
      return reply({ ok: false, error: { code: ErrorCode.Unavailable, message: 'the server is overloaded: send again shortly with the same clientId' } });
    }
    const retryAfterSeconds = spendEventBudget(socket.data, this.config.rateLimits.socketEvents);
    if (retryAfterSeconds !== null) {
      return reply({ ok: false, error: { code: ErrorCode.RateLimited, message: 'too many events on this connection, slow down', retryAfterSeconds } });
    }
    this.unanswered.add(refuse);
    this.track(
      work(reply).catch((error: unknown) => {
        const correlationId = `${socket.id}.${++this.errorCount}`;
        reply({ ok: false, error: toAckError(error, correlationId, (err, id) => this.logger.error({ err, correlationId: id }, 'unhandled socket error')) });
      }).finally(() => this.unanswered.delete(refuse)),
    );
  }


  private track(task: Promise<unknown>): void {
    const settled = task.catch((error: unknown) => this.logger.warn(`socket task failed: ${(error as Error).message}`));
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }
}

import { type BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { AuthContext } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { ErrorCode } from '@/core/errors';
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
  WsSendMessageDto,
  WsTypingDto,
} from '@/schemas/realtime.dto';
import { AuthService } from '@/services/auth.service';
import { ChatService } from '@/services/chat.service';
import { HealthService } from '@/services/health.service';
import { MessageService } from '@/services/message.service';
import { RealtimeService } from '@/services/realtime.service';
import { toAckError } from './ws-error.mapper';

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { auth: AuthContext }>;
type Answer = { ok: true } | { ok: false; error: AckErrorDto };

const MAX_TOKEN_LENGTH = 4096;

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
  private draining = false;
  private errorCount = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly messages: MessageService,
    private readonly chats: ChatService,
    private readonly health: HealthService,
    private readonly realtime: RealtimeService,
  ) {}

  afterInit(server: Server) {
    server.use((socket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (typeof token !== 'string' || token.length === 0) {
        return next(refusal(ErrorCode.Unauthorized, 'an access token is required in the handshake: auth.token'));
      }
      const auth = token.length <= MAX_TOKEN_LENGTH ? this.auth.verifyAccessToken(token) : null;
      if (!auth) return next(refusal(ErrorCode.Unauthorized, 'the access token is invalid or expired'));
      (socket as ChatSocket).data.auth = auth;
      // Verified once: keeping the bearer token on every socket would only cost memory and widen what a heap dump leaks.
      socket.handshake.auth = {};
      next();
    });
  }

  handleConnection(socket: ChatSocket) {
    this.track(this.realtime.connected(socket.data.auth, socket.id));
  }

  handleDisconnect(socket: ChatSocket) {
    // A socket refused by the middleware never connected and has nothing to undo.
    if (socket.data.auth) void this.realtime.disconnected(socket.data.auth);
  }

  @SubscribeMessage(ClientEvent.MessageSend)
  onSend(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown, @Ack() ack?: AckFn<SendMessageAckDto>): void {
    this.handle<SendMessageAckDto>(socket, ack, async (reply) => {
      const { chatId, ...dto } = await validatePayload(WsSendMessageDto, payload);
      const { message, created } = await this.messages.send(socket.data.auth, chatId, dto);
      // Answered before the broadcast leaves (see MessageService.send), so the sender sees its ack first.
      reply({ ok: true, message });
      if (created) this.health.countMessageCreated('ws');
    });
  }

  @SubscribeMessage(ClientEvent.Typing)
  onTyping(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown, @Ack() ack?: AckFn<TypingAckDto>): void {
    this.handle<TypingAckDto>(socket, ack, async (reply) => {
      const { chatId } = await validatePayload(WsTypingDto, payload);
      await this.realtime.typing(socket.data.auth, chatId);
      reply({ ok: true });
    });
  }

  @SubscribeMessage(ClientEvent.Read)
  onRead(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown, @Ack() ack?: AckFn<ReadAckDto>): void {
    this.handle<ReadAckDto>(socket, ack, async (reply) => {
      const { chatId, seq } = await validatePayload(WsReadDto, payload);
      reply({ ok: true, seq: await this.chats.markRead(socket.data.auth, chatId, seq) });
    });
  }

  /**
   * SIGTERM: refuse new connections, answer every event already received, then close the sockets so their
   * clients reconnect to another instance (and resync with `after=`). Database and Redis close after this hook.
   */
  async beforeApplicationShutdown() {
    this.draining = true;
    this.realtime.stopAccepting();
    const grace = this.config.shutdownGraceMs;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, grace).unref())]);
    await this.realtime.closeConnections(grace);
  }

  /** Runs one event: answers exactly once (an ack may be missing when the client did not ask for one). */
  private handle<T extends { ok: boolean }>(socket: ChatSocket, ack: AckFn<T> | undefined, work: (reply: AckFn<T>) => Promise<void>): void {
    let answered = false;
    const reply = (response: T | Answer) => {
      if (answered) return;
      answered = true;
      if (typeof ack === 'function') ack(response as T);
    };
    if (this.draining) {
      return reply({ ok: false, error: { code: ErrorCode.Unavailable, message: 'the server is restarting: reconnect and send again with the same clientId' } });
    }
    this.track(
      work(reply).catch((error: unknown) => {
        const correlationId = `${socket.id}.${++this.errorCount}`;
        reply({ ok: false, error: toAckError(error, correlationId, (err, id) => this.logger.error({ err, correlationId: id }, 'unhandled socket error')) });
      }),
    );
  }

  private track(task: Promise<unknown>): void {
    const settled = task.catch((error: unknown) => this.logger.warn(`socket task failed: ${(error as Error).message}`));
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }
}

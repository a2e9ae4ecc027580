import { Inject, Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { ErrorCode } from '@/core/errors';
import { validatePayload } from '@/core/validation';
import { type VisitorClaims, WIDGET_NAMESPACE, WidgetClientEvent, WidgetSendDto, WidgetSyncDto, WidgetTypingDto } from '@/modules/bridge/schemas/widget.dto';
import { WidgetService } from '@/modules/bridge/services/widget.service';
import { SOCKET_GATEWAY_OPTIONS } from '@/schemas/realtime.dto';
import { type EventWindow, spendEventBudget } from '@/ws/event-budget';
import { eventListener } from '@/ws/event-listener';
import { takeHandshakeToken } from '@/ws/handshake-token';
import { toAckError } from '@/ws/ws-error.mapper';

type VisitorSocket = Socket<Record<string, (...args: unknown[]) => void>, Record<string, never>, Record<string, never>, { visitor: VisitorClaims; events?: EventWindow }>;
type AckFn = (response: unknown) => void;

const MAX_TOKEN_LENGTH = 4096;

const refusal = (code: ErrorCode, message: string) => Object.assign(new Error(message), { data: { code } });

/**
 * The /widget namespace: visitor tokens only (a user's access token does not verify here), and every event acts on
 * the token's own thread; any other thread id is 404. Each socket joins its visitor's room, where replies arrive.
 */
@WebSocketGateway({ ...SOCKET_GATEWAY_OPTIONS, namespace: WIDGET_NAMESPACE })
export class WidgetGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger('WidgetGateway');
  private errorCount = 0;
  /** The events a visitor's socket may send, answered by one listener that every socket shares (see eventListener). */
  private readonly onEvent = eventListener<VisitorSocket>(
    {
      [WidgetClientEvent.MessageSend]: (socket, payload, ack) => this.onSend(socket, payload, ack),
      [WidgetClientEvent.Sync]: (socket, payload, ack) => this.onSync(socket, payload, ack),
      [WidgetClientEvent.Typing]: (socket, payload, ack) => this.onTyping(socket, payload, ack),
    },
    (err, event) => this.logger.error({ err, event }, 'widget socket event handler failed'),
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly widget: WidgetService,
  ) {}

  afterInit(namespace: Namespace) {
    this.widget.serve(namespace);
    namespace.use((socket, next) => {
      const token = takeHandshakeToken(socket);
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        return next(refusal(ErrorCode.Unauthorized, 'a visitor token is required in the handshake: auth.token'));
      }
      const origin = socket.handshake.headers.origin;
      this.widget
        .authenticate(token)
        .then(async (visitor) => {
          if (!visitor) return next(refusal(ErrorCode.Unauthorized, 'the visitor token is invalid or expired'));
          if (!(await this.widget.originAllowed(visitor, origin))) return next(refusal(ErrorCode.OriginNotAllowed, `the origin ${origin} is not allowed for this channel`));
          (socket as VisitorSocket).data.visitor = visitor;
          next();
        })
        .catch((error: unknown) => next(refusal(ErrorCode.Unavailable, `cannot verify the token now: ${(error as Error).message}`)));
    });
  }

  handleConnection(socket: VisitorSocket) {
    socket.onAny(this.onEvent);
    this.widget.joinRoom(socket, socket.data.visitor);
  }

  onSend(socket: VisitorSocket, payload: unknown, ack?: AckFn): void {
    this.handle(socket, ack, async () => ({ ok: true, message: await this.widget.send(socket.data.visitor, await validatePayload(WidgetSendDto, payload)) }));
  }

  onSync(socket: VisitorSocket, payload: unknown, ack?: AckFn): void {
    this.handle(socket, ack, async () => {
      const { threadId, ...query } = await validatePayload(WidgetSyncDto, payload ?? {});
      return { ok: true, ...(await this.widget.history(socket.data.visitor, threadId, query)) };
    });
  }

  onTyping(socket: VisitorSocket, payload: unknown, ack?: AckFn): void {
    this.handle(socket, ack, async () => {
      const { threadId } = await validatePayload(WidgetTypingDto, payload ?? {});
      await this.widget.typing(socket.data.visitor, threadId);
      return { ok: true };
    });
  }

  /** Answers exactly once, with the same error shapes as the messenger's socket. */
  private handle(socket: VisitorSocket, ack: AckFn | undefined, work: () => Promise<unknown>): void {
    const reply = (response: unknown) => {
      if (typeof ack === 'function') ack(response);
    };
    const retryAfterSeconds = spendEventBudget(socket.data, this.config.rateLimits.socketEvents);
    if (retryAfterSeconds !== null) {
      return reply({ ok: false, error: { code: ErrorCode.RateLimited, message: 'too many events on this connection, slow down', retryAfterSeconds } });
    }
    work().then(reply, (error: unknown) => {
      const correlationId = `${socket.id}.${++this.errorCount}`;
      reply({ ok: false, error: toAckError(error, correlationId, (err, id) => this.logger.error({ err, correlationId: id }, 'unhandled widget socket error')) });
    });
  }

}

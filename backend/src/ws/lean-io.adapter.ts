import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, type Observable } from 'rxjs';
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { JsonLimits } from '@/core/json-limits';
import { boundedParser } from './bounded-parser';

/**
 * Nest's IoAdapter wires every socket through an RxJS chain per event name (fromEvent → mergeMap → takeUntil
 * on a shared disconnect stream): about 15 KB of heap per idle connection and a dozen allocations per event.
 * One plain catch-all listener per socket does the same job; a handler's result is still answered as Nest would.
 */
export class LeanIoAdapter extends IoAdapter {
  constructor(
    app?: ConstructorParameters<typeof IoAdapter>[0],
    private readonly jsonLimits?: JsonLimits,
  ) {
    super(app);
  }

  /** Socket payloads get the same JSON bounds as HTTP bodies, checked before socket.io parses them. */
  override createIOServer(port: number, options?: ServerOptions): unknown {
    const server = super.createIOServer(port, this.jsonLimits ? { ...options, parser: boundedParser(this.jsonLimits) } : options) as Server;
    releaseHandshakeRequests(server);
    return server;
  }

  // Nest's `transform` (a per-socket closure) is not kept: the result is unwrapped below exactly as it would do.
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], _transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length === 0) return;
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const handler = handlers.find((h) => h.message === event);
      if (!handler) return;
      // Shaped as RxJS fromEvent hands it to Nest: the lone argument itself, or the list when an ack follows.
      const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
      const respond = (response: unknown) => {
        if (response === undefined || response === null) return;
        const reply = response as { event?: string; data?: unknown };
        if (reply.event) socket.emit(reply.event, reply.data);
        else if (!handler.isAckHandledManually && typeof ack === 'function') ack(response);
      };
      void Promise.resolve(handler.callback(data, ack)).then((result: unknown) => {
        if (isObservable(result)) result.subscribe(respond);
        else respond(result);
      });
    });
  }
}

/** What socket.io reads from the handshake request when a namespace's socket is created (its `handshake`). */
export interface HandshakeRequest {
  headers: IncomingMessage['headers'];
  url?: string;
  _query?: Record<string, string>;
  connection: { encrypted: boolean };
}

type EngineRequest = IncomingMessage & { _query?: Record<string, string>; [UPGRADE_RESPONSE]?: { req: unknown } };
type EngineConnection = { request: EngineRequest | HandshakeRequest };

const UPGRADE_RESPONSE = Symbol('upgrade response');

/** Headers that only negotiated the WebSocket upgrade (RFC 6455), meaningless once the connection is open. */
const UPGRADE_HEADERS = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']);

function withoutUpgradeHeaders(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  if (headers.upgrade === undefined) return headers;
  const kept: IncomingMessage['headers'] = {};
  for (const [name, value] of Object.entries(headers)) if (!UPGRADE_HEADERS.has(name)) kept[name] = value;
  return kept;
}

/**
 * engine.io keeps the connection's first HTTP request (an IncomingMessage with its raw headers, stream state and, for
 * a WebSocket, engine.io's upgrade response that a close listener on the TCP socket keeps too) for the connection's
 * whole life, as `conn.request` (`socket.request` in socket.io): ~1 KB per socket, read only when a namespace's socket
 * is created. Once the connection is open it is replaced by the few fields socket.io reads (headers, url, query, TLS),
 * so a socket opened later on another namespace of the same connection gets the same `handshake` as before, less the
 * headers that only negotiated the WebSocket upgrade. Nothing here reads `socket.request` otherwise; code that needs
 * more of the request must read it in a middleware.
 */
function releaseHandshakeRequests(server: Server): void {
  const engine = server.engine as unknown as {
    use(fn: (req: EngineRequest, res: unknown, next: (err?: unknown) => void) => void): void;
    on(event: 'connection', listener: (conn: EngineConnection) => void): void;
  };
  engine.use((req, res, next) => {
    // A real ServerResponse (polling) is done with its request by itself; only the upgrade's stand-in lingers.
    if (!(res instanceof ServerResponse)) req[UPGRADE_RESPONSE] = res as { req: unknown };
    next();
  });
  engine.on('connection', (conn) => {
    const req = conn.request as EngineRequest;
    const kept: HandshakeRequest = {
      headers: withoutUpgradeHeaders(req.headers),
      url: req.url,
      _query: req._query,
      connection: { encrypted: Boolean((req.socket as { encrypted?: boolean } | null)?.encrypted) },
    };
    const res = req[UPGRADE_RESPONSE];
    if (res?.req === req) res.req = kept;
    conn.request = kept;
  });
}

import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, type Observable } from 'rxjs';
import type { ServerOptions, Socket } from 'socket.io';
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
    return super.createIOServer(port, this.jsonLimits ? { ...options, parser: boundedParser(this.jsonLimits) } : options);
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

import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Socket } from 'socket.io';

/**
 * Nest's IoAdapter wires every socket through an RxJS chain per event name (fromEvent → mergeMap → takeUntil
 * on a shared disconnect stream): about 15 KB of heap per idle connection and a dozen allocations per event.
 * Plain listeners do the same job; a handler's result is still answered exactly as Nest would.
 */
export class LeanIoAdapter extends IoAdapter {
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args);
        void Promise.resolve(callback(data, ack)).then((result) => {
          // Handlers that answer through @Ack() return nothing; skip the RxJS wrapping for them.
          if (result === undefined || result === null) return;
          transform(result).subscribe((response) => {
            if (response === undefined || response === null) return;
            const reply = response as { event?: string; data?: unknown };
            if (reply.event) socket.emit(reply.event, reply.data);
            else if (!isAckHandledManually && typeof ack === 'function') ack(response);
          });
        });
      });
    }
  }
}

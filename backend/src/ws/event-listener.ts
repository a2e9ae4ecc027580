import type { Socket } from 'socket.io';

export type EventAck = (response: unknown) => void;
export type EventHandler<S> = (socket: S, payload: unknown, ack: EventAck | undefined) => void;

/**
 * One catch-all listener for every socket of a gateway, added with `socket.onAny(listener)`: socket.io calls it with
 * the socket as `this`, so a socket costs a slot in its listener list. Routing the events through Nest's
 * `@SubscribeMessage` instead binds every handler to every socket (an object, a bound function and its arguments per
 * handler, and a closure): ~0.5 KB of heap per socket for a gateway of three events.
 *
 * The payload and the ack are taken from the event's arguments as Nest's IoAdapter takes them: an ack is the last
 * argument when it is a function; the payload is the one argument before it, or the list when there are several.
 */
export function eventListener<S extends Socket>(handlers: Record<string, EventHandler<S>>, onError: (error: unknown, event: string) => void) {
  const routes = new Map(Object.entries(handlers));
  return function onEvent(this: S, event: unknown, ...args: unknown[]): void {
    const handler = typeof event === 'string' ? routes.get(event) : undefined;
    if (!handler) return;
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as EventAck) : undefined;
    const data = ack ? args.slice(0, -1) : args;
    try {
      handler(this, data.length > 1 ? data : data[0], ack);
    } catch (error) {
      onError(error, event as string);
    }
  };
}

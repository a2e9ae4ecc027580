import { io, type Socket } from 'socket.io-client';

/** A socket.io client as a browser would open it: same origin, path /socket.io, the access token in `auth`. */
export type ClientSocket = Socket;

export interface ConnectOptions {
  /** Default: websocket only, which is what browsers end up on; pass ['polling', 'websocket'] to test the upgrade. */
  transports?: Array<'polling' | 'websocket'>;
  reconnection?: boolean;
}

const open: ClientSocket[] = [];

export function socketFor(url: string, token: string | undefined, options: ConnectOptions = {}): ClientSocket {
  const socket = io(url, {
    path: '/socket.io',
    auth: token === undefined ? {} : { token },
    transports: options.transports ?? ['websocket'],
    reconnection: options.reconnection ?? false,
    forceNew: true,
    timeout: 5000,
  });
  open.push(socket);
  return socket;
}

/** Connects and resolves once the server accepted the handshake; rejects with the `connect_error`. */
export function connect(url: string, token: string | undefined, options: ConnectOptions = {}): Promise<ClientSocket> {
  const socket = socketFor(url, token, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

export function closeAllSockets(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

/** Emits with an ack and resolves with the server's answer. */
export function request<T = unknown>(socket: ClientSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

/** Everything a socket receives, in arrival order, for assertions about what did and did not arrive. */
export class Inbox {
  readonly events: Array<{ event: string; payload: unknown }> = [];
  private waiters: Array<() => void> = [];

  constructor(readonly socket: ClientSocket) {
    socket.onAny((event: string, payload: unknown) => {
      this.events.push({ event, payload });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  of<T = Record<string, unknown>>(event: string): T[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload as T);
  }

  /** Resolves when `count` events named `event` (matching `where`) have arrived. */
  async waitFor<T = Record<string, unknown>>(event: string, where: (payload: T) => boolean = () => true, count = 1, timeoutMs = 5000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of<T>(event).filter(where);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} "${event}" event(s); got ${found.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  clear(): void {
    this.events.length = 0;
  }
}

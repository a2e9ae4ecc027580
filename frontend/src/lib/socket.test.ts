import { afterEach, describe, expect, it, vi } from 'vitest';

/** A stand-in for socket.io-client's Socket: handlers by event, `connected`, and acks answered `{ ok: true }`. */
class FakeSocket {
  connected = false;
  active = true;
  readonly handlers = new Map<string, Array<(...args: unknown[]) => void>>();
  readonly emitted: string[] = [];
  on(event: string, handler: (...args: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  off() {
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true;
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
  timeout() {
    return { emitWithAck: async (event: string) => (this.emitted.push(event), { ok: true }) };
  }
  connect() {}
  disconnect() {
    this.connected = false;
  }
}

const fake = vi.hoisted(() => ({ socket: null as unknown }));
vi.mock('socket.io-client', () => ({
  io: () => {
    fake.socket = new FakeSocket();
    return fake.socket;
  },
}));

const { connectSocket, disconnectSocket, emitEvent, isSocketConnected, sendOverSocket } = await import('./socket');

describe('socket while its server drains (unit, socket.io-client replaced)', () => {
  afterEach(() => disconnectSocket());

  it('sends nothing more on a socket whose server said server:draining, until it has reconnected', async () => {
    connectSocket();
    const socket = fake.socket as FakeSocket;
    socket.fire('connect');
    expect(isSocketConnected()).toBe(true);

    socket.fire('server:draining');
    // Still open at the transport level, but the send path must choose REST now.
    expect(socket.connected).toBe(true);
    expect(isSocketConnected()).toBe(false);
    await expect(sendOverSocket({ chatId: 'c', clientId: 'k', body: 'hi' }, 1000)).rejects.toThrow('socket is not connected');
    expect(await emitEvent('read', { chatId: 'c', seq: 1 })).toBeNull();
    expect(socket.emitted).toEqual([]);

    socket.fire('disconnect', 'transport close');
    socket.fire('connect');
    expect(isSocketConnected()).toBe(true);
    expect(await sendOverSocket({ chatId: 'c', clientId: 'k', body: 'hi' }, 1000)).toEqual({ ok: true });
    expect(socket.emitted).toEqual(['message:send']);
  });
});

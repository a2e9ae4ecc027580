import type { Socket } from 'socket.io';
import { describe, expect, it, vi } from 'vitest';
import { type EventHandler, eventListener } from './event-listener';

const socket = { id: 's1' } as unknown as Socket;

describe('eventListener', () => {
  it('hands the socket, the payload and the ack to the handler of the event, as Nest would', () => {
    const seen: unknown[] = [];
    const handler: EventHandler<Socket> = (s, payload, ack) => seen.push([s.id, payload, typeof ack]);
    const listener = eventListener({ ping: handler }, () => undefined);
    const ack = () => undefined;
    listener.call(socket, 'ping', { n: 1 }, ack);
    listener.call(socket, 'ping', { n: 2 });
    listener.call(socket, 'ping', ack);
    listener.call(socket, 'ping');
    listener.call(socket, 'ping', 1, 2, ack);
    listener.call(socket, 'ping', 1, 2);
    expect(seen).toEqual([
      ['s1', { n: 1 }, 'function'],
      ['s1', { n: 2 }, 'undefined'],
      ['s1', undefined, 'function'],
      ['s1', undefined, 'undefined'],
      ['s1', [1, 2], 'function'],
      ['s1', [1, 2], 'undefined'],
    ]);
  });

  it('ignores events it has no handler for, and reports a handler that throws instead of throwing', () => {
    const onError = vi.fn();
    const listener = eventListener<Socket>(
      {
        fail: () => {
          throw new Error('boom');
        },
      },
      onError,
    );
    expect(() => listener.call(socket, 'unknown', 1)).not.toThrow();
    expect(() => listener.call(socket, 'toString', 1)).not.toThrow();
    listener.call(socket, 'fail', 1);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }), 'fail');
  });
});

import type { MessageMappingProperties } from '@nestjs/websockets';
import { createServer, IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isObservable, of, type Observable } from 'rxjs';
import type { Server, Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { LeanIoAdapter } from './lean-io.adapter';

// What Nest passes as `transform`: the handler's result as a stream of responses.
const transform = (data: unknown): Observable<unknown> => (isObservable(data) ? data : of(data));

describe('LeanIoAdapter', () => {
  let http: HttpServer;
  let server: Server;
  let client: ClientSocket;

  async function start(handlers: MessageMappingProperties[]): Promise<ClientSocket> {
    http = createServer();
    const adapter = new LeanIoAdapter(http);
    server = adapter.create(0) as Server;
    adapter.bindClientConnect(server, (socket: Socket) => adapter.bindMessageHandlers(socket, handlers, transform));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    return client;
  }

  afterEach(async () => {
    client?.disconnect();
    await new Promise((resolve) => server.close(resolve));
  });

  it('hands a manual-ack handler its payload and ack, and answers nothing itself', async () => {
    const seen: unknown[] = [];
    const socket = await start([
      {
        message: 'ping',
        isAckHandledManually: true,
        callback: (data: unknown, ack: (r: unknown) => void) => {
          seen.push(data);
          ack({ pong: data });
          return undefined;
        },
      } as unknown as MessageMappingProperties,
    ]);
    const answer = await socket.timeout(2000).emitWithAck('ping', { n: 1 });
    expect(answer).toEqual({ pong: { n: 1 } });
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('acks with the value (or observable) a handler returns, and emits `{event, data}` results as events', async () => {
    const socket = await start([
      { message: 'double', callback: async (n: number) => n * 2 } as unknown as MessageMappingProperties,
      { message: 'count', callback: (n: number) => of(n + 1) } as unknown as MessageMappingProperties,
      { message: 'shout', callback: (text: string) => ({ event: 'shouted', data: text.toUpperCase() }) } as unknown as MessageMappingProperties,
    ]);
    expect(await socket.timeout(2000).emitWithAck('double', 21)).toBe(42);
    expect(await socket.timeout(2000).emitWithAck('count', 1)).toBe(2);
    const shouted = new Promise((resolve) => socket.once('shouted', (text: string) => resolve(text)));
    socket.emit('shout', 'hi');
    expect(await shouted).toBe('HI');
  });

  it('keeps of the handshake request only what socket.io reads, less the upgrade headers, for a namespace opened later too', async () => {
    http = createServer();
    server = new LeanIoAdapter(http).create(0) as Server;
    const opened = (namespace: string) => new Promise<Socket>((resolve) => server.of(namespace).once('connection', resolve));
    const [main, other] = [opened('/'), opened('/other')];
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, extraHeaders: { 'x-probe': 'yes' } });
    const first = await main;
    // The second namespace shares the first one's connection, so its handshake is built from what was kept.
    client.io.socket('/other').connect();
    const second = await other;
    expect(first.conn.request).not.toBeInstanceOf(IncomingMessage);
    for (const socket of [first, second]) {
      expect(socket.handshake).toMatchObject({ headers: { 'x-probe': 'yes' }, secure: false, query: { EIO: '4', transport: 'websocket' } });
      expect(socket.handshake.url).toMatch(/^\/socket\.io\/\?/);
      expect(Object.keys(socket.handshake.headers).filter((name) => name === 'upgrade' || name.startsWith('sec-websocket-'))).toEqual([]);
    }
  });

  it('ignores events without a handler and keeps serving the others', async () => {
    const socket = await start([{ message: 'double', callback: async (n: number) => n * 2 } as unknown as MessageMappingProperties]);
    await expect(socket.timeout(300).emitWithAck('unknown', 1)).rejects.toThrow();
    expect(await socket.timeout(2000).emitWithAck('double', 4)).toBe(8);
  });
});

import type { Socket } from 'socket.io';

/** What `handshake.auth` of every socket becomes once its token was read: one shared empty object, not one each. */
const NO_AUTH: Record<string, never> = Object.freeze({});

/**
 * The token the client sent in its handshake (`auth.token`), removed from the socket: it is verified once, and keeping
 * the bearer token on every socket would only cost memory and widen what a heap dump leaks.
 */
export function takeHandshakeToken(socket: Socket): unknown {
  const token: unknown = socket.handshake.auth?.token;
  socket.handshake.auth = NO_AUTH;
  return token;
}

import type { AttachmentUpdatedEventDto, ChatResponseDto, MessageResponseDto, ThreadDraftResponseDto, ThreadResponseDto, ThreadViewersResponseDto } from '@messenger/api-client';
import { io, type Socket } from 'socket.io-client';
import { create } from 'zustand';
import { refreshSession } from './api-client';
import { getAccessToken } from './session';

/** Server → client events of the realtime contract. */
export interface ServerEvents {
  'message:new': MessageResponseDto;
  'message:updated': MessageResponseDto;
  'message:deleted': Partial<MessageResponseDto> & { id: string; chatId: string };
  typing: { chatId: string; userId: string };
  read: { chatId: string; userId: string; seq: number };
  presence: { userId: string; online: boolean; lastSeenAt?: string | null };
  'chat:created': ChatEventPayload;
  'chat:updated': ChatEventPayload;
  'member:added': ChatEventPayload;
  'member:removed': ChatEventPayload;
  'attachment:updated': AttachmentUpdatedEventDto;
  'session:ended': { reason: 'expired' | 'revoked' };
  /** The instance is shutting down: stop sending on this socket; it closes soon and reconnects elsewhere. */
  'server:draining': undefined;
  /** Inbox: a thread was created or changed (status, assignee, labels). */
  'thread:updated': ThreadResponseDto;
  /** Inbox: who is viewing a thread now. */
  'thread:viewers': ThreadViewersResponseDto;
  /** Inbox: a thread passed from the AI agent to people, and why. */
  'thread:handoff': { chatId: string; reason: string; detail: string; at: string };
  /** Inbox: the AI agent's draft for a thread changed (text null once used or discarded). */
  'thread:draft': ThreadDraftResponseDto & { chatId: string };
}

/** Membership and chat events carry the chat id under one of these names. */
export type ChatEventPayload = Partial<ChatResponseDto> & { chatId?: string; userId?: string; chat?: Partial<ChatResponseDto> };

export type SendAck = { ok: true; message: MessageResponseDto } | { ok: false; error: { code: string; message: string } };

export interface ClientEvents {
  'message:send': { chatId: string; clientId: string; body: string; replyToId?: string; attachmentIds?: string[] };
  typing: { chatId: string };
  read: { chatId: string; seq: number };
}

export type ConnectionStatus = 'offline' | 'connecting' | 'connected' | 'reconnecting';

export const useConnection = create<{ status: ConnectionStatus; set(status: ConnectionStatus): void }>()((set) => ({
  status: 'offline',
  set: (status) => set({ status }),
}));

type Handler<E extends keyof ServerEvents> = (payload: ServerEvents[E]) => void;

let socket: Socket | null = null;
let everConnected = false;
/** The server said it is shutting down: nothing more goes over this socket until it reconnects (sends use REST). */
let draining = false;
const reconnectHandlers = new Set<() => void>();

/** Opens the one socket of this tab; the access token is read at each (re)connect, so a refreshed one is used. */
export function connectSocket(): Socket {
  if (socket) return socket;
  const s = io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: (cb) => cb({ token: getAccessToken() }),
    reconnectionDelay: 300,
    reconnectionDelayMax: 3_000,
  });
  socket = s;
  everConnected = false;
  // Set when the server says the access token ran out: the disconnect that follows is a renewal, not an outage.
  let renewing = false;
  s.on('session:ended', ({ reason }: ServerEvents['session:ended']) => {
    renewing = reason === 'expired';
  });
  useConnection.getState().set('connecting');
  s.on('server:draining', () => {
    if (socket === s) draining = true;
  });
  s.on('connect', () => {
    draining = false;
    useConnection.getState().set('connected');
    if (everConnected) reconnectHandlers.forEach((h) => h());
    everConnected = true;
  });
  s.on('disconnect', (reason) => {
    if (socket !== s) return;
    if (renewing && reason === 'io server disconnect') {
      // Refresh first and reconnect with the new token, without showing an outage; a failed refresh signs out.
      renewing = false;
      void refreshSession().then((ok) => {
        if (ok && socket === s) s.connect();
      });
      return;
    }
    useConnection.getState().set('reconnecting');
    // A server-side disconnect is not retried by socket.io itself.
    if (reason === 'io server disconnect') s.connect();
  });
  s.on('connect_error', () => {
    if (socket !== s) return;
    useConnection.getState().set(everConnected ? 'reconnecting' : 'connecting');
    // Not active = the server refused the handshake (an expired token): refresh it, then try again.
    if (!s.active) {
      void refreshSession().then((ok) => {
        if (ok && socket === s) setTimeout(() => s.connect(), 500);
      });
    }
  });
  return s;
}

export function disconnectSocket(): void {
  socket?.disconnect();
  socket = null;
  draining = false;
  everConnected = false;
  useConnection.getState().set('offline');
}

export const isSocketConnected = () => socket?.connected === true && !draining;

export function onSocketEvent<E extends keyof ServerEvents>(event: E, handler: Handler<E>): () => void {
  const s = connectSocket();
  s.on(event as string, handler as (payload: unknown) => void);
  return () => {
    s.off(event as string, handler as (payload: unknown) => void);
  };
}

/** Runs after every reconnect (not the first connect): the moment to fetch what was missed. */
export function onReconnect(handler: () => void): () => void {
  reconnectHandlers.add(handler);
  return () => {
    reconnectHandlers.delete(handler);
  };
}

export type EventAck = { ok: true; seq?: number } | { ok: false; error: { code: string; message: string } };

/** Emits a client event with the ack the contract asks for; resolves with the ack, or null if it never came. */
export async function emitEvent<E extends Exclude<keyof ClientEvents, 'message:send'>>(event: E, payload: ClientEvents[E], timeoutMs = 5_000): Promise<EventAck | null> {
  if (!socket || !isSocketConnected()) return null;
  try {
    return (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as EventAck;
  } catch {
    return null;
  }
}

/** Sends a message and resolves with the server's ack; rejects on timeout or when the socket is down. */
export async function sendOverSocket(payload: ClientEvents['message:send'], timeoutMs: number): Promise<SendAck> {
  if (!socket || !isSocketConnected()) throw new Error('socket is not connected');
  return (await socket.timeout(timeoutMs).emitWithAck('message:send', payload)) as SendAck;
}

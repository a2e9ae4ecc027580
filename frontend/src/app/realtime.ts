import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { applyChangedMessage, applyChatChanged, applyNewMessage, applyPresence, applyRead } from '@/features/chats';
import { applyAttachmentUpdated, applyDeleted, applyIncoming, applyTyping, applyUpdated } from '@/features/messages';
import { connectSocket, disconnectSocket, onReconnect, onSocketEvent } from '@/lib/socket';
import { Resync } from './sync';

/**
 * Wires the socket to the query cache while signed in: every server event becomes a cache update in the
 * feature that owns that data, and a reconnect fetches whatever was missed meanwhile.
 */
export function useRealtime(meId: string | undefined, onMessage?: (message: Parameters<typeof applyIncoming>[1]) => void): void {
  const queryClient = useQueryClient();
  const onMessageRef = useRef(onMessage);
  useEffect(() => {
    onMessageRef.current = onMessage;
  }, [onMessage]);
  useEffect(() => {
    if (!meId) return;
    const resync = new Resync(queryClient, meId);
    void resync.start();
    connectSocket();
    const offs = [
      onSocketEvent('message:new', (m) => {
        applyIncoming(queryClient, m, meId);
        applyNewMessage(queryClient, m, meId);
        onMessageRef.current?.(m);
      }),
      onSocketEvent('message:updated', (m) => {
        applyUpdated(queryClient, m);
        applyChangedMessage(queryClient, m);
      }),
      onSocketEvent('message:deleted', (m) => {
        applyDeleted(queryClient, m);
        applyChangedMessage(queryClient, { ...m, body: null, deletedAt: m.deletedAt ?? new Date().toISOString() });
      }),
      onSocketEvent('typing', (e) => applyTyping(e, meId)),
      onSocketEvent('read', (e) => applyRead(queryClient, e, meId)),
      onSocketEvent('presence', (e) => applyPresence(queryClient, e)),
      onSocketEvent('chat:created', (e) => applyChatChanged(queryClient, e, meId)),
      onSocketEvent('chat:updated', (e) => applyChatChanged(queryClient, e, meId)),
      onSocketEvent('member:added', (e) => applyChatChanged(queryClient, e, meId)),
      onSocketEvent('member:removed', (e) => applyChatChanged(queryClient, e, meId, true)),
      onSocketEvent('attachment:updated', (e) => applyAttachmentUpdated(queryClient, e)),
      onReconnect(() => {
        void resync.catchUp();
        // Who came and went while we were away.
        void queryClient.invalidateQueries({ queryKey: [{ _id: 'getPresence' }] });
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      disconnectSocket();
    };
  }, [meId, queryClient]);
}

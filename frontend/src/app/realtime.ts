import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { applyChangedMessage, applyChatChanged, applyNewMessage, applyPresence, applyRead } from '@/features/chats';
import { applyDeleted, applyIncoming, applyTyping, applyUpdated, resyncMessages } from '@/features/messages';
import { connectSocket, disconnectSocket, onReconnect, onSocketEvent } from '@/lib/socket';

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
      onReconnect(() => {
        void resyncMessages(queryClient);
        // Partial keys: every cached chat list and chat detail is refetched.
        void queryClient.invalidateQueries({ queryKey: [{ _id: 'listChats' }] });
        void queryClient.invalidateQueries({ queryKey: [{ _id: 'getChat' }] });
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      disconnectSocket();
    };
  }, [meId, queryClient]);
}

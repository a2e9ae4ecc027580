import { markChatReadMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';
import { emitEvent, isSocketConnected } from '@/lib/socket';
import { getMe } from '@/lib/session';
import { applyRead } from '../realtime';

/** Moves your read marker: over the socket when it is up (others see the receipt at once), else over REST. */
export function useMarkChatRead(chatId: string) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation(markChatReadMutation());
  const sent = useRef(0);
  return useCallback(
    (seq: number) => {
      const me = getMe();
      if (!me || seq <= sent.current) return;
      sent.current = seq;
      applyRead(queryClient, { chatId, userId: me.id, seq }, me.id);
      void (async () => {
        const ack = isSocketConnected() ? await emitEvent('read', { chatId, seq }) : null;
        if (!ack?.ok) mutate({ path: { chatId }, body: { seq } });
      })();
    },
    [chatId, mutate, queryClient],
  );
}

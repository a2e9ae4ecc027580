import type { AttachmentResponseDto, MessageResponseDto } from '@messenger/api-client';
import { sendMessageMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { env } from '@/config/env';
import { isSocketConnected, sendOverSocket } from '@/lib/socket';
import { uuid } from '@/utils/id';
import { useOutbox, type OutboxEntry } from '../stores/outbox';
import { mergeIntoCache } from './get-messages';

/**
 * Sends with a clientId: the message shows at once as pending, becomes the stored message on the ack,
 * or is marked failed (with a retry reusing the same clientId, so a late success is never doubled).
 * The socket carries it when connected; otherwise the REST route does, which is just as idempotent.
 */
export function useSendMessage(chatId: string) {
  const queryClient = useQueryClient();
  const { mutateAsync: sendRest } = useMutation(sendMessageMutation());

  const deliver = useCallback(
    async (entry: OutboxEntry) => {
      const outbox = useOutbox.getState();
      outbox.setStatus(entry.clientId, 'sending');
      const payload = {
        chatId: entry.chatId,
        clientId: entry.clientId,
        body: entry.body,
        ...(entry.replyToId ? { replyToId: entry.replyToId } : {}),
        ...(entry.attachments?.length ? { attachmentIds: entry.attachments.map((a) => a.id) } : {}),
      };
      try {
        let message: MessageResponseDto;
        if (isSocketConnected()) {
          const ack = await sendOverSocket(payload, env.ackTimeoutMs);
          if (!ack.ok) throw new Error(ack.error.message);
          message = ack.message;
        } else {
          const { chatId: _c, ...body } = payload;
          const stored = await sendRest({ path: { chatId: entry.chatId }, body });
          // Without sendAt the route always answers the stored message, never a scheduled one.
          if (!('seq' in stored)) throw new Error('the server scheduled a message that was meant to go now');
          message = stored;
        }
        mergeIntoCache(queryClient, entry.chatId, [message]);
        useOutbox.getState().remove(entry.clientId);
        return message;
      } catch (error) {
        useOutbox.getState().setStatus(entry.clientId, 'failed', error instanceof Error ? error.message : (error as { message?: string })?.message);
        return undefined;
      }
    },
    [queryClient, sendRest],
  );

  const send = useCallback(
    (body: string, replyToId?: string, attachments?: AttachmentResponseDto[]) => {
      const entry: OutboxEntry = { clientId: uuid(), chatId, body, replyToId, attachments, createdAt: new Date().toISOString(), status: 'sending' };
      useOutbox.getState().add(entry);
      return deliver(entry);
    },
    [chatId, deliver],
  );

  const retry = useCallback(
    (clientId: string) => {
      const entry = useOutbox.getState().entries[clientId];
      return entry ? deliver(entry) : Promise.resolve(undefined);
    },
    [deliver],
  );

  return { send, retry };
}

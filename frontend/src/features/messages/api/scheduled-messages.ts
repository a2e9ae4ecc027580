import type { ScheduledMessageListResponseDto } from '@messenger/api-client';
import {
  cancelScheduledMessageMutation,
  listScheduledMessagesOptions,
  listScheduledMessagesQueryKey,
  sendMessageMutation,
  updateScheduledMessageMutation,
} from '@messenger/api-client/react-query';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { uuid } from '@/utils/id';

// Due messages leave the list when the server sends them; a poll this often notices it without a socket event.
const REFRESH_MS = 15_000;

const key = (chatId: string) => listScheduledMessagesQueryKey({ path: { chatId } });

/** Your messages waiting to be sent in this chat (nobody else sees them). */
export function useScheduledMessages(chatId: string) {
  return useQuery({
    ...listScheduledMessagesOptions({ path: { chatId } }),
    refetchInterval: (query) => ((query.state.data as ScheduledMessageListResponseDto | undefined)?.items.length ? REFRESH_MS : false),
  });
}

export function useScheduleMessage(chatId: string) {
  const queryClient = useQueryClient();
  const mutation = useMutation({ ...sendMessageMutation(), onSuccess: () => queryClient.invalidateQueries({ queryKey: key(chatId) }) });
  return {
    ...mutation,
    schedule: (body: string, sendAt: Date, replyToId?: string) =>
      mutation.mutateAsync({ path: { chatId }, body: { clientId: uuid(), body, sendAt: sendAt.toISOString(), ...(replyToId ? { replyToId } : {}) } }),
  };
}

export function useUpdateScheduledMessage(chatId: string) {
  const queryClient = useQueryClient();
  return useMutation({ ...updateScheduledMessageMutation(), onSettled: () => queryClient.invalidateQueries({ queryKey: key(chatId) }) });
}

export function useCancelScheduledMessage(chatId: string) {
  const queryClient = useQueryClient();
  return useMutation({ ...cancelScheduledMessageMutation(), onSettled: () => queryClient.invalidateQueries({ queryKey: key(chatId) }) });
}

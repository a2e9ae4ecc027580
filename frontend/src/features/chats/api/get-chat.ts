import { getChatOptions, getChatQueryKey } from '@messenger/api-client/react-query';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChatListResponseDto } from '@messenger/api-client';
import { apiErrorStatus } from '@/lib/api-client';
import { chatsQueryKey } from './get-chats';

export const chatQueryKey = (chatId: string) => getChatQueryKey({ path: { chatId } });

/** One chat with its members; seeded from the list so an open chat paints before its own request returns. */
export function useChat(chatId: string) {
  const queryClient = useQueryClient();
  return useQuery({
    ...getChatOptions({ path: { chatId } }),
    initialData: () => queryClient.getQueryData<ChatListResponseDto>(chatsQueryKey())?.items.find((c) => c.id === chatId),
    initialDataUpdatedAt: () => queryClient.getQueryState(chatsQueryKey())?.dataUpdatedAt,
    retry: (count, error) => apiErrorStatus(error) !== 404 && count < 2,
  });
}

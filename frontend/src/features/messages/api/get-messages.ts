import { listMessagesInfiniteOptions, listMessagesInfiniteQueryKey } from '@messenger/api-client/react-query';
import { useInfiniteQuery, type QueryClient } from '@tanstack/react-query';
import { env } from '@/config/env';
import { insertMessages, type MessagePages } from '../utils/merge';
import type { MessageResponseDto } from '@messenger/api-client';

const base = (chatId: string) => ({ path: { chatId }, query: { limit: env.pageSize } });

export const messagesQueryKey = (chatId: string) => listMessagesInfiniteQueryKey(base(chatId));

/** History newest first; each next page is `before` the oldest seq loaded so far. */
export const messagesOptions = (chatId: string) => ({
  ...listMessagesInfiniteOptions(base(chatId)),
  // Merged into the key's own params: the first page has no cursor.
  initialPageParam: { path: { chatId } },
  getNextPageParam: (last: { items: MessageResponseDto[] }) => (last.items.length < env.pageSize ? undefined : last.items.at(-1)?.seq),
  // The socket and the resync keep it current; a background refetch would only redo their work.
  staleTime: Infinity,
});

export function useMessages(chatId: string) {
  return useInfiniteQuery(messagesOptions(chatId));
}

/** Merges messages into a chat's cached history, if that history is loaded. */
export function mergeIntoCache(queryClient: QueryClient, chatId: string, messages: MessageResponseDto[]): void {
  const key = messagesQueryKey(chatId);
  const hasOlder = () => {
    const data = queryClient.getQueryData<MessagePages>(key);
    const last = data?.pages.at(-1);
    return last ? last.items.length >= env.pageSize : false;
  };
  queryClient.setQueryData<MessagePages>(key, (old) => (old ? insertMessages(old, messages, hasOlder()) : old));
}

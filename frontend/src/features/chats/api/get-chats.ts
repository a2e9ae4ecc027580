import { listChatsOptions, listChatsQueryKey } from '@messenger/api-client/react-query';
import { useQuery } from '@tanstack/react-query';

export const chatsQueryKey = () => listChatsQueryKey();

export function useChats() {
  return useQuery({ ...listChatsOptions(), staleTime: 60_000 });
}

/** Sum of unread messages over every chat: the tab title shows it. */
export function useTotalUnread(): number {
  const { data } = useChats();
  return data?.items.reduce((sum, chat) => sum + chat.unreadCount, 0) ?? 0;
}

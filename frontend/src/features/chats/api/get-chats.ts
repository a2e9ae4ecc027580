import { listChats, type ChatListResponseDto } from '@messenger/api-client';
import { listChatsQueryKey } from '@messenger/api-client/react-query';
import { useQuery } from '@tanstack/react-query';

export const chatsQueryKey = () => listChatsQueryKey();

/** The API pages the list; the sidebar shows every chat, so all pages are read into the one cached list. */
const PAGE = 500;

async function fetchAllChats(signal: AbortSignal): Promise<ChatListResponseDto> {
  const items: ChatListResponseDto['items'] = [];
  let cursor: string | undefined;
  do {
    const { data } = await listChats({ query: { limit: PAGE, ...(cursor ? { cursor } : {}) }, signal, throwOnError: true });
    items.push(...data.items);
    cursor = data.nextCursor ?? undefined;
  } while (cursor);
  return { items, nextCursor: null };
}

export function useChats() {
  return useQuery({ queryKey: chatsQueryKey(), queryFn: ({ signal }) => fetchAllChats(signal), staleTime: 60_000 });
}

/** Sum of unread messages over every chat: the tab title shows it. */
export function useTotalUnread(): number {
  const { data } = useChats();
  return data?.items.reduce((sum, chat) => sum + chat.unreadCount, 0) ?? 0;
}

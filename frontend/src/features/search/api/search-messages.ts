import { searchMessagesOptions } from '@messenger/api-client/react-query';
import { keepPreviousData, useQuery } from '@tanstack/react-query';

/** Results for the first page; the query runs once the text has a letter or digit in it. */
export const SEARCH_PAGE_SIZE = 30;

export function useSearchMessages(q: string, chatId?: string) {
  const text = q.trim();
  return useQuery({
    ...searchMessagesOptions({ query: { q: text, limit: SEARCH_PAGE_SIZE, ...(chatId ? { chatId } : {}) } }),
    enabled: /[\p{L}\p{N}]/u.test(text),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

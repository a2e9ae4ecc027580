import { listMessagesOptions } from '@messenger/api-client/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { maxSeq, type MessagePages } from '../utils/merge';
import { mergeIntoCache, messagesQueryKey } from './get-messages';

const PAGE = 200;
const running = new Map<string, Promise<void>>();
const again = new Set<string>();

async function catchUp(queryClient: QueryClient, chatId: string): Promise<void> {
  for (;;) {
    const data = queryClient.getQueryData<MessagePages>(messagesQueryKey(chatId));
    if (!data) return;
    const after = maxSeq(data);
    const page = await queryClient.fetchQuery({ ...listMessagesOptions({ path: { chatId }, query: { after, limit: PAGE } }), staleTime: 0, gcTime: 0 });
    mergeIntoCache(queryClient, chatId, page.items);
    if (page.items.length < PAGE) return;
  }
}

/**
 * Fetches every message after the newest one cached (`after=`), page by page, so a reconnect or a seq gap
 * leaves no hole. Calls for the same chat while one runs coalesce into one more pass.
 */
export function fetchMissed(queryClient: QueryClient, chatId: string): Promise<void> {
  const current = running.get(chatId);
  if (current) {
    again.add(chatId);
    return current;
  }
  const run = (async () => {
    try {
      do {
        again.delete(chatId);
        await catchUp(queryClient, chatId);
      } while (again.has(chatId));
    } finally {
      running.delete(chatId);
    }
  })();
  running.set(chatId, run);
  return run;
}

/** Chats whose history is in the cache: the ones a resync must bring up to date. */
export function cachedChatIds(queryClient: QueryClient): string[] {
  return queryClient
    .getQueryCache()
    .findAll({ queryKey: [{ _id: 'listMessages', _infinite: true }] })
    .map((q) => (q.queryKey[0] as { path?: { chatId?: string } }).path?.chatId)
    .filter((id): id is string => typeof id === 'string');
}

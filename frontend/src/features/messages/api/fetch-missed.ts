import { listMessagesOptions } from '@messenger/api-client/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { maxSeq, type MessagePages } from '../utils/merge';
import { mergeIntoCache, messagesQueryKey } from './get-messages';

const PAGE = 200;
const running = new Map<string, Promise<void>>();
/** Per chat, the lowest seq a caller asked to fetch after while a pass was running. */
const again = new Map<string, number>();

async function catchUp(queryClient: QueryClient, chatId: string, from: number): Promise<void> {
  let after = from;
  for (;;) {
    if (!queryClient.getQueryData<MessagePages>(messagesQueryKey(chatId))) return;
    const page = await queryClient.fetchQuery({ ...listMessagesOptions({ path: { chatId }, query: { after, limit: PAGE } }), staleTime: 0, gcTime: 0 });
    mergeIntoCache(queryClient, chatId, page.items);
    if (page.items.length < PAGE) return;
    after = page.items.at(-1)!.seq;
  }
}

/**
 * Fetches every message after `from` (default: the newest one cached) with `after=`, page by page, so a
 * reconnect or a seq gap leaves no hole. Calls for the same chat while one runs coalesce into one more pass.
 */
export function fetchMissed(queryClient: QueryClient, chatId: string, from?: number): Promise<void> {
  const start = from ?? maxSeq(queryClient.getQueryData<MessagePages>(messagesQueryKey(chatId)));
  const current = running.get(chatId);
  if (current) {
    again.set(chatId, Math.min(start, again.get(chatId) ?? Infinity));
    return current;
  }
  const run = (async () => {
    try {
      let next: number | undefined = start;
      while (next !== undefined) {
        again.delete(chatId);
        await catchUp(queryClient, chatId, next);
        next = again.get(chatId);
      }
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

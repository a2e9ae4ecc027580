import type { MessageListResponseDto, MessageResponseDto } from '@messenger/api-client';
import { listMessagesInfiniteOptions } from '@messenger/api-client/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { env } from '@/config/env';

/**
 * History opened at one message (a search hit): the page `around` its seq, then older pages `before` the oldest and
 * newer ones `after` the newest. Cached apart from the live history, which keeps following the socket.
 */
export function useMessagesAround(chatId: string, seq: number) {
  return useInfiniteQuery({
    ...listMessagesInfiniteOptions({ path: { chatId }, query: { limit: env.pageSize, around: seq } }),
    initialPageParam: { path: { chatId }, query: { around: seq } },
    // Seqs are gapless from 1, so the oldest loaded seq says whether anything is older.
    getNextPageParam: (_last: MessageListResponseDto, pages: MessageListResponseDto[]) => {
      const oldest = Math.min(...pages.flatMap((p) => p.items.map((m) => m.seq)));
      return Number.isFinite(oldest) && oldest > 1 ? { path: { chatId }, query: { before: oldest, around: undefined } } : undefined;
    },
    // Newer pages come until one comes back short.
    getPreviousPageParam: (first: MessageListResponseDto, pages: MessageListResponseDto[]) => {
      if (pages.length > 1 && first.items.length < env.pageSize) return undefined;
      const newest = Math.max(...pages.flatMap((p) => p.items.map((m) => m.seq)));
      return Number.isFinite(newest) ? { path: { chatId }, query: { after: newest, around: undefined } } : undefined;
    },
    staleTime: Infinity,
  });
}

/** Every loaded message once, oldest first, whichever direction its page was fetched in. */
export function flattenBySeq(pages: MessageListResponseDto[] | undefined): MessageResponseDto[] {
  const byId = new Map<string, MessageResponseDto>();
  for (const page of pages ?? []) for (const m of page.items) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

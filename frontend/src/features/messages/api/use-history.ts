import type { MessageResponseDto } from '@messenger/api-client';
import { useMemo } from 'react';
import { flattenAscending } from '../utils/merge';
import { useMessages } from './get-messages';
import { flattenBySeq, useMessagesAround } from './get-messages-around';

/** What the message list needs from a history, live (newest at the bottom) or opened at a found message. */
export interface History {
  messages: MessageResponseDto[];
  isSuccess: boolean;
  hasOlder: boolean;
  isFetchingOlder: boolean;
  fetchOlder(): void;
  /** Only when opened at a message: newer pages not loaded yet. */
  hasNewer: boolean;
  isFetchingNewer: boolean;
  fetchNewer(): void;
}

export function useLiveHistory(chatId: string): History {
  const query = useMessages(chatId);
  const messages = useMemo(() => flattenAscending(query.data), [query.data]);
  return {
    messages,
    isSuccess: query.isSuccess,
    hasOlder: query.hasNextPage,
    isFetchingOlder: query.isFetchingNextPage,
    fetchOlder: () => void query.fetchNextPage(),
    hasNewer: false,
    isFetchingNewer: false,
    fetchNewer: () => undefined,
  };
}

export function useHistoryAround(chatId: string, seq: number): History {
  const query = useMessagesAround(chatId, seq);
  const messages = useMemo(() => flattenBySeq(query.data?.pages), [query.data]);
  return {
    messages,
    isSuccess: query.isSuccess,
    hasOlder: query.hasNextPage,
    isFetchingOlder: query.isFetchingNextPage,
    fetchOlder: () => void query.fetchNextPage(),
    hasNewer: query.hasPreviousPage,
    isFetchingNewer: query.isFetchingPreviousPage,
    fetchNewer: () => void query.fetchPreviousPage(),
  };
}

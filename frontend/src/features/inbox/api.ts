import type { ListInboxThreadsData, MessageResponseDto, ThreadDraftResponseDto, ThreadResponseDto } from '@messenger/api-client';
import {
  getContactOptions,
  getContactQueryKey,
  discardInboxThreadDraftMutation,
  getInboxCountsOptions,
  getInboxThreadDraftOptions,
  getInboxThreadDraftQueryKey,
  getInboxStatsOptions,
  listCannedResponsesOptions,
  listChannelsOptions,
  listInboxThreadsOptions,
  listLabelsOptions,
  listMessagesOptions,
  listMessagesQueryKey,
  linkContactMutation,
  listChannelsQueryKey,
  redeliverMessageMutation,
  returnInboxThreadToAiMutation,
  sendMessageMutation,
  setInboxThreadLabelsMutation,
  takeOverInboxThreadMutation,
  updateChannelMutation,
  updateInboxThreadMutation,
} from '@messenger/api-client/react-query';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';

export type ThreadFilters = NonNullable<ListInboxThreadsData['query']>;

/** Every inbox query starts with this, so one invalidation refreshes lists, counts and threads. */
const isInboxKey = (key: readonly unknown[]) => {
  const id = (key[0] as { _id?: string } | undefined)?._id;
  return id === 'listInboxThreads' || id === 'getInboxCounts';
};

export function useThreads(filters: ThreadFilters) {
  return useQuery({ ...listInboxThreadsOptions({ query: filters }), refetchInterval: 30_000 });
}

export function useCounts(filters: Omit<ThreadFilters, 'assignee' | 'cursor' | 'limit'>) {
  return useQuery({ ...getInboxCountsOptions({ query: filters }), refetchInterval: 30_000 });
}

export const useChannels = () => useQuery({ ...listChannelsOptions(), staleTime: 60_000 });
export const useLabels = () => useQuery({ ...listLabelsOptions(), staleTime: 60_000 });
export const useCanned = (chatId: string) => useQuery({ ...listCannedResponsesOptions({ query: { chatId } }), staleTime: 60_000 });
export const useStats = (query: { from?: string; to?: string; channelId?: string }) => useQuery(getInboxStatsOptions({ query }));

export function useThreadMessages(chatId: string) {
  return useQuery({ ...listMessagesOptions({ path: { chatId }, query: { limit: 100 } }) });
}

export function useInvalidateInbox() {
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.invalidateQueries({ predicate: (q) => isInboxKey(q.queryKey) }), [queryClient]);
}

/** Puts a message into the thread's cached history (new or changed), keeping seq order. */
export function useMergeMessage() {
  const queryClient = useQueryClient();
  return useCallback((m: MessageResponseDto) =>
    queryClient.setQueriesData<{ items: MessageResponseDto[] }>({ queryKey: listMessagesQueryKey({ path: { chatId: m.chatId } }) }, (old) => {
      if (!old) return old;
      const items = old.items.filter((x) => x.id !== m.id && (!m.clientId || x.clientId !== m.clientId));
      return { ...old, items: [...items, m].sort((a, b) => a.seq - b.seq) };
    }), [queryClient]);
}

export function useUpdateThread() {
  const invalidate = useInvalidateInbox();
  return useMutation({ ...updateInboxThreadMutation(), onSuccess: () => void invalidate() });
}

export function useSetLabels() {
  const invalidate = useInvalidateInbox();
  return useMutation({ ...setInboxThreadLabelsMutation(), onSuccess: () => void invalidate() });
}

export function useSend() {
  const merge = useMergeMessage();
  // The inbox composer never schedules, so the answer is always the stored message (201/200), never a 202.
  return useMutation({ ...sendMessageMutation(), onSuccess: (m) => void ('seq' in m && merge(m)) });
}

export function useRedeliver() {
  const merge = useMergeMessage();
  return useMutation({ ...redeliverMessageMutation(), onSuccess: (m) => merge(m) });
}

/** The customer with the contacts an operator linked to them and their threads on every channel. */
export const useContact = (contactId: string) => useQuery({ ...getContactOptions({ path: { id: contactId } }), staleTime: 30_000 });

/** Threads whose contact matches a name, for picking a contact to link; nothing is asked below two characters. */
export const useContactCandidates = (q: string) =>
  useQuery({ ...listInboxThreadsOptions({ query: { q, limit: 10 } }), enabled: q.trim().length >= 2 });

export function useLinkContact() {
  const queryClient = useQueryClient();
  return useMutation({
    ...linkContactMutation(),
    // Linking is symmetric: both people's panels change.
    onSuccess: (_data, vars) =>
      void Promise.all([
        queryClient.invalidateQueries({ queryKey: getContactQueryKey({ path: { id: vars.path.id } }) }),
        queryClient.invalidateQueries({ queryKey: getContactQueryKey({ path: { id: vars.body.contactId } }) }),
      ]),
  });
}

/** "Take over": the thread leaves the AI agent for people. */
export function useTakeOver() {
  const invalidate = useInvalidateInbox();
  return useMutation({ ...takeOverInboxThreadMutation(), onSuccess: () => void invalidate() });
}

export function useReturnToAi() {
  const invalidate = useInvalidateInbox();
  return useMutation({ ...returnInboxThreadToAiMutation(), onSuccess: () => void invalidate() });
}

/** The AI agent's draft for a thread; `thread:draft` socket events replace it in the cache. */
export const useDraft = (chatId: string) => useQuery(getInboxThreadDraftOptions({ path: { chatId } }));

export function useSetDraftCache() {
  const queryClient = useQueryClient();
  return useCallback(
    (chatId: string, draft: ThreadDraftResponseDto) => queryClient.setQueryData(getInboxThreadDraftQueryKey({ path: { chatId } }), draft),
    [queryClient],
  );
}

/** Ends the draft (after "Use" or "Discard"). */
export function useDiscardDraft() {
  const setDraft = useSetDraftCache();
  return useMutation({ ...discardInboxThreadDraftMutation(), onSuccess: (_, vars) => setDraft(vars.path.chatId, { text: null, createdAt: null }) });
}

export function useUpdateChannel() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateInbox();
  return useMutation({
    ...updateChannelMutation(),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: listChannelsQueryKey() });
      void invalidate();
    },
  });
}

export type Thread = ThreadResponseDto;

import { useQuery } from '@tanstack/react-query';

export interface Presence {
  online: boolean;
  lastSeenAt?: string | null;
}
export type PresenceMap = Record<string, Presence>;

/** Presence is pushed by the server only; this cache entry is written by the socket and never fetched. */
export const presenceQueryKey = ['presence'] as const;

export function usePresence(userId: string | undefined): Presence | undefined {
  const { data } = useQuery<PresenceMap>({ queryKey: presenceQueryKey, queryFn: () => ({}), initialData: {}, staleTime: Infinity, gcTime: Infinity });
  return userId ? data[userId] : undefined;
}

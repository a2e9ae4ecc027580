import { getPresenceOptions } from '@messenger/api-client/react-query';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { applyPresence } from '../realtime';

/** Seeds the pushed presence map with who is online right now; the socket keeps it current afterwards. */
export function usePresenceSnapshot(userIds: string[]) {
  const queryClient = useQueryClient();
  const ids = useMemo(() => [...new Set(userIds)].sort().slice(0, 200), [userIds]);
  const { data } = useQuery({ ...getPresenceOptions({ query: { ids } }), enabled: ids.length > 0, staleTime: 60_000 });
  useEffect(() => {
    for (const presence of data?.items ?? []) applyPresence(queryClient, presence);
  }, [data, queryClient]);
}

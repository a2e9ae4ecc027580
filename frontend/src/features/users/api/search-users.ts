import { searchUsersOptions } from '@messenger/api-client/react-query';
import { keepPreviousData, useQuery } from '@tanstack/react-query';

export function useSearchUsers(search: string) {
  const term = search.trim();
  return useQuery({
    ...searchUsersOptions({ query: { search: term, limit: 20 } }),
    enabled: term.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

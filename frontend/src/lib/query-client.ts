import { QueryClient } from '@tanstack/react-query';
import { apiErrorStatus } from './api-client';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // The socket keeps data fresh; a focus refetch would only repeat what it already delivered.
        refetchOnWindowFocus: false,
        retry: (count, error) => {
          const status = apiErrorStatus(error);
          return count < 2 && (status === undefined || status >= 500);
        },
      },
      mutations: { retry: false },
    },
  });
}

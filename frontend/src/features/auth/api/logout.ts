import { logoutMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSession } from '@/lib/session';

/** Revokes the cookie's token family on the server and forgets every cached chat. */
export function useLogout() {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    ...logoutMutation(),
    onSettled: () => {
      useSession.getState().signOut();
      queryClient.clear();
    },
  });
  return { ...mutation, logout: () => mutation.mutate({ body: {} }) };
}

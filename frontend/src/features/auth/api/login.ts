import { loginMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSession } from '@/lib/session';

/** Signs in; the server also sets the refresh cookie, so only the access token is kept (in memory). */
export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    ...loginMutation(),
    onSuccess: ({ user, accessToken, expiresIn }) => {
      queryClient.clear();
      useSession.getState().signIn({ user, accessToken, expiresIn });
    },
  });
}

import { registerMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSession } from '@/lib/session';

export function useRegister() {
  const queryClient = useQueryClient();
  return useMutation({
    ...registerMutation(),
    onSuccess: ({ user, accessToken, expiresIn }) => {
      queryClient.clear();
      useSession.getState().signIn({ user, accessToken, expiresIn });
    },
  });
}

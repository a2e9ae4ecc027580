import { removeChatMemberMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { chatQueryKey } from './get-chat';
import { chatsQueryKey } from './get-chats';

/** Removes a member, or leaves when the id is your own (then the chat disappears from your cache). */
export function useRemoveMember(chatId: string, meId: string | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    ...removeChatMemberMutation(),
    onSuccess: (_data, variables) => {
      if (variables.path.userId === meId) queryClient.removeQueries({ queryKey: chatQueryKey(chatId) });
      else void queryClient.invalidateQueries({ queryKey: chatQueryKey(chatId) });
      void queryClient.invalidateQueries({ queryKey: chatsQueryKey() });
    },
  });
}

import { addChatMemberMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { chatQueryKey } from './get-chat';
import { chatsQueryKey } from './get-chats';

export function useAddMember(chatId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    ...addChatMemberMutation(),
    onSuccess: (chat) => {
      queryClient.setQueryData(chatQueryKey(chatId), chat);
      void queryClient.invalidateQueries({ queryKey: chatsQueryKey() });
    },
  });
}

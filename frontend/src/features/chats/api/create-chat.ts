import { createChatMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { chatQueryKey } from './get-chat';
import { chatsQueryKey } from './get-chats';

/** Opens (or creates) a direct chat or creates a group; the list is refetched so it shows at once. */
export function useCreateChat() {
  const queryClient = useQueryClient();
  return useMutation({
    ...createChatMutation(),
    onSuccess: (chat) => {
      queryClient.setQueryData(chatQueryKey(chat.id), chat);
      void queryClient.invalidateQueries({ queryKey: chatsQueryKey() });
    },
  });
}

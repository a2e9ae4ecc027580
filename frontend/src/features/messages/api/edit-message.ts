import { editMessageMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { mergeIntoCache } from './get-messages';

export function useEditMessage(chatId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    ...editMessageMutation(),
    onSuccess: (message) => mergeIntoCache(queryClient, chatId, [message]),
  });
}

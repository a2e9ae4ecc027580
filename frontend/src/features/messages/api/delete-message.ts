import { deleteMessageMutation } from '@messenger/api-client/react-query';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { patchMessage, type MessagePages } from '../utils/merge';
import { messagesQueryKey } from './get-messages';

export function useDeleteMessage(chatId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    ...deleteMessageMutation(),
    onSuccess: (_data, variables) => {
      queryClient.setQueryData<MessagePages>(messagesQueryKey(chatId), (old) =>
        old ? patchMessage(old, variables.path.id, { body: null, deletedAt: new Date().toISOString() }) : old,
      );
    },
  });
}

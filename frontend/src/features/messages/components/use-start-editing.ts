import type { MessageResponseDto } from '@messenger/api-client';
import { useComposer } from '../stores/composer';

/** Puts a message into the composer for editing. */
export function useStartEditing(chatId: string) {
  return (message: MessageResponseDto) => {
    useComposer.getState().setEditing(chatId, message.id);
    useComposer.getState().setDraft(chatId, message.body ?? '');
  };
}

import type { MessageResponseDto } from '@messenger/api-client';
import type { QueryClient } from '@tanstack/react-query';
import type { ServerEvents } from '@/lib/socket';
import { cachedChatIds, fetchMissed } from './api/fetch-missed';
import { mergeIntoCache, messagesQueryKey } from './api/get-messages';
import { useOutbox } from './stores/outbox';
import { useUploads } from './stores/uploads';
import { useTyping } from './stores/typing';
import { maxSeq, patchMessage, type MessagePages } from './utils/merge';

/** A pushed message joins its chat's cached history; a seq beyond the next one means we missed some, so fetch them. */
export function applyIncoming(queryClient: QueryClient, message: MessageResponseDto, meId: string): void {
  if (message.senderId === meId && message.clientId) useOutbox.getState().remove(message.clientId);
  if (message.senderId) useTyping.getState().stop(message.chatId, message.senderId);
  const data = queryClient.getQueryData<MessagePages>(messagesQueryKey(message.chatId));
  if (!data) return;
  const newest = maxSeq(data);
  mergeIntoCache(queryClient, message.chatId, [message]);
  // Fetch from the newest seq held before this one: the messages between them never arrived.
  if (message.seq > newest + 1) void fetchMissed(queryClient, message.chatId, newest);
}

export function applyUpdated(queryClient: QueryClient, message: MessageResponseDto): void {
  mergeIntoCache(queryClient, message.chatId, [message]);
}

export function applyDeleted(queryClient: QueryClient, event: ServerEvents['message:deleted']): void {
  queryClient.setQueryData<MessagePages>(messagesQueryKey(event.chatId), (old) =>
    old ? patchMessage(old, event.id, { body: null, deletedAt: event.deletedAt ?? new Date().toISOString() }) : old,
  );
}

/** A thumbnail became ready: swap the attachment in its message, or in the composer while it is unsent. */
export function applyAttachmentUpdated(queryClient: QueryClient, event: ServerEvents['attachment:updated']): void {
  const { chatId, messageId, attachment } = event;
  if (!messageId) {
    const item = useUploads.getState().items.find((i) => i.attachment?.id === attachment.id);
    if (item) useUploads.getState().update(item.key, { attachment });
    return;
  }
  const message = queryClient.getQueryData<MessagePages>(messagesQueryKey(chatId))?.pages.flatMap((p) => p.items).find((m) => m.id === messageId);
  if (!message) return;
  const attachments = message.attachments.map((a) => (a.id === attachment.id ? attachment : a));
  queryClient.setQueryData<MessagePages>(messagesQueryKey(chatId), (old) => (old ? patchMessage(old, messageId, { attachments }) : old));
}

export function applyTyping(event: ServerEvents['typing'], meId: string): void {
  if (event.userId !== meId) useTyping.getState().typing(event.chatId, event.userId);
}

/** After a reconnect: every loaded chat fetches what it missed. */
export function resyncMessages(queryClient: QueryClient): Promise<void[]> {
  return Promise.all(cachedChatIds(queryClient).map((chatId) => fetchMissed(queryClient, chatId)));
}

import type { ChatListResponseDto, ChatResponseDto, MessageResponseDto } from '@messenger/api-client';
import type { QueryClient } from '@tanstack/react-query';
import type { ChatEventPayload, ServerEvents } from '@/lib/socket';
import { chatQueryKey } from './api/get-chat';
import { chatsQueryKey } from './api/get-chats';
import { presenceQueryKey, type PresenceMap } from './api/presence';
import { sortChats } from './utils';

function updateList(queryClient: QueryClient, fn: (items: ChatResponseDto[]) => ChatResponseDto[]) {
  queryClient.setQueryData<ChatListResponseDto>(chatsQueryKey(), (old) => (old ? { ...old, items: fn(old.items) } : old));
}

function updateChat(queryClient: QueryClient, chatId: string, fn: (chat: ChatResponseDto) => ChatResponseDto) {
  updateList(queryClient, (items) => items.map((c) => (c.id === chatId ? fn(c) : c)));
  queryClient.setQueryData<ChatResponseDto>(chatQueryKey(chatId), (old) => (old ? fn(old) : old));
}

/** A new message moves its chat to the top, updates the preview and counts it unread unless it is yours. */
export function applyNewMessage(queryClient: QueryClient, message: MessageResponseDto, meId: string): void {
  const list = queryClient.getQueryData<ChatListResponseDto>(chatsQueryKey());
  if (list && !list.items.some((c) => c.id === message.chatId)) {
    // A chat we have not seen yet (someone just wrote to us first): fetch the list with it.
    void queryClient.invalidateQueries({ queryKey: chatsQueryKey() });
    return;
  }
  updateChat(queryClient, message.chatId, (chat) => {
    if (message.seq <= chat.lastMessageSeq) return chat;
    const mine = message.senderId === meId;
    return {
      ...chat,
      lastMessage: message,
      lastMessageSeq: message.seq,
      unreadCount: mine ? chat.unreadCount : chat.unreadCount + 1,
      members: mine ? chat.members.map((m) => (m.userId === meId ? { ...m, lastReadSeq: message.seq } : m)) : chat.members,
    };
  });
  updateList(queryClient, sortChats);
}

/** Edits and deletes only matter to the list when they touch the preview. */
export function applyChangedMessage(queryClient: QueryClient, message: Partial<MessageResponseDto> & { id: string; chatId: string }): void {
  updateChat(queryClient, message.chatId, (chat) =>
    chat.lastMessage?.id === message.id ? { ...chat, lastMessage: { ...chat.lastMessage, ...message } } : chat,
  );
}

export function applyRead(queryClient: QueryClient, event: ServerEvents['read'], meId: string): void {
  updateChat(queryClient, event.chatId, (chat) => {
    const members = chat.members.map((m) => (m.userId === event.userId && event.seq > m.lastReadSeq ? { ...m, lastReadSeq: event.seq } : m));
    if (event.userId !== meId) return { ...chat, members };
    return { ...chat, members, unreadCount: Math.min(chat.unreadCount, Math.max(0, chat.lastMessageSeq - event.seq)) };
  });
}

export function applyPresence(queryClient: QueryClient, event: ServerEvents['presence']): void {
  queryClient.setQueryData<PresenceMap>(presenceQueryKey, (old) => ({
    ...old,
    [event.userId]: { online: event.online, lastSeenAt: event.lastSeenAt ?? old?.[event.userId]?.lastSeenAt },
  }));
}

const chatIdOf = (payload: ChatEventPayload): string | undefined => payload.chatId ?? payload.chat?.id ?? payload.id;

/** Membership and title changes are rare: refetching the affected chat and the list is simplest and exact. */
export function applyChatChanged(queryClient: QueryClient, payload: ChatEventPayload, meId: string, removed = false): void {
  const chatId = chatIdOf(payload);
  if (removed && chatId && payload.userId === meId) {
    queryClient.removeQueries({ queryKey: chatQueryKey(chatId) });
    updateList(queryClient, (items) => items.filter((c) => c.id !== chatId));
    return;
  }
  if (chatId) void queryClient.invalidateQueries({ queryKey: chatQueryKey(chatId) });
  void queryClient.invalidateQueries({ queryKey: chatsQueryKey() });
}

/** A chat's current state from a resync: replaces the cached one, or adds it to the list. */
export function applyChatSnapshot(queryClient: QueryClient, chat: ChatResponseDto): void {
  queryClient.setQueryData<ChatResponseDto>(chatQueryKey(chat.id), chat);
  updateList(queryClient, (items) => sortChats(items.some((c) => c.id === chat.id) ? items.map((c) => (c.id === chat.id ? chat : c)) : [chat, ...items]));
}

export function applyChatRemoved(queryClient: QueryClient, chatId: string): void {
  queryClient.removeQueries({ queryKey: chatQueryKey(chatId) });
  updateList(queryClient, (items) => items.filter((c) => c.id !== chatId));
}

import type { ChatResponseDto } from '@messenger/api-client';

export const otherMember = (chat: ChatResponseDto, meId: string | undefined) => chat.members.find((m) => m.userId !== meId);

/** A group's title, or the other person's name in a direct chat. */
export function chatTitle(chat: ChatResponseDto, meId: string | undefined): string {
  if (chat.title) return chat.title;
  if (chat.type === 'direct') return otherMember(chat, meId)?.user.displayName ?? '—';
  return chat.members.map((m) => m.user.displayName).join(', ');
}

const activity = (chat: ChatResponseDto) => chat.lastMessage?.createdAt ?? chat.createdAt;

/** Most recently active first, as the server orders them; applied again after every live update. */
export const sortChats = (items: ChatResponseDto[]) => [...items].sort((a, b) => (activity(a) < activity(b) ? 1 : activity(a) > activity(b) ? -1 : 0));

import type { ChatResponseDto, MessageResponseDto, UserResponseDto } from '@messenger/api-client';

// Asserted rather than annotated: the DTO grows fields the SPA does not read.
export const me = { id: '00000000-0000-4000-8000-000000000001', email: 'me@example.test', username: 'me', displayName: 'Me Myself', role: 'user', emailDigest: false } as UserResponseDto;
export const bob = { id: '00000000-0000-4000-8000-000000000002', username: 'bob', displayName: 'Bob Builder' };
export const carol = { id: '00000000-0000-4000-8000-000000000003', username: 'carol', displayName: 'Carol Danvers' };

let n = 0;
export function message(chatId: string, seq: number, over: Partial<MessageResponseDto> = {}): MessageResponseDto {
  n += 1;
  return {
    id: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    chatId,
    seq,
    senderId: bob.id,
    clientId: null,
    body: `message ${seq}`,
    replyToId: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, seq)).toISOString(),
    editedAt: null,
    deletedAt: null,
    attachments: [],
    ...over,
  } as MessageResponseDto;
}

export function directChat(id: string, other: { id: string; username: string; displayName: string }, over: Partial<ChatResponseDto> = {}): ChatResponseDto {
  const at = '2026-01-01T10:00:00.000Z';
  return {
    id,
    type: 'direct',
    title: null,
    createdBy: me.id,
    lastMessageSeq: 0,
    lastMessage: null,
    unreadCount: 0,
    createdAt: at,
    updatedAt: at,
    members: [
      { userId: me.id, role: 'member', joinedAt: at, lastReadSeq: 0, user: { id: me.id, username: me.username, displayName: me.displayName } },
      { userId: other.id, role: 'member', joinedAt: at, lastReadSeq: 0, user: other },
    ],
    ...over,
  };
}

import type { MessageResponseDto } from '@/schemas/message.dto';
import type { ChatResponseDto } from '@/schemas/chat.dto';
import type { AttachmentResponseDto } from '@/schemas/attachment.dto';

/** Domain events emitted by services after a change is committed; the realtime layer fans them out. */
export interface DomainEvents {
  'message.created': { chatId: string; message: MessageResponseDto; memberIds: string[] };
  'message.updated': { chatId: string; message: MessageResponseDto; memberIds: string[] };
  'message.deleted': { chatId: string; message: MessageResponseDto; memberIds: string[] };
  'chat.read': { chatId: string; userId: string; seq: number; memberIds: string[] };
  'chat.created': { chat: ChatResponseDto; memberIds: string[] };
  'chat.updated': { chat: ChatResponseDto; memberIds: string[] };
  'member.added': { chatId: string; userId: string; memberIds: string[] };
  'member.removed': { chatId: string; userId: string; memberIds: string[] };
  /** An attachment changed after it was shown (its thumbnail is ready); `messageId` is null while unsent. */
  /** An account's role changed (admins see every inbox thread, so the bridge adjusts memberships). */
  'user.role-changed': { userId: string; role: 'user' | 'operator' | 'admin' };
  'attachment.updated': { chatId: string; messageId: string | null; attachment: AttachmentResponseDto; memberIds: string[] };
}

export type DomainEventName = keyof DomainEvents;

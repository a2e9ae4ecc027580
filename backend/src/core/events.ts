import type { UserRole } from './auth';

/**
 * Domain events emitted by services after a change is committed; the realtime layer fans them out.
 * Core names the events and what they carry without knowing the client-facing shapes: the message, chat and
 * attachment views are type parameters, bound to the response DTOs in `schemas/events.ts`.
 */
export interface DomainEventsOf<Message, Chat, Attachment> {
  'message.created': { chatId: string; message: Message; memberIds: string[] };
  'message.updated': { chatId: string; message: Message; memberIds: string[] };
  'message.deleted': { chatId: string; message: Message; memberIds: string[] };
  'chat.read': { chatId: string; userId: string; seq: number; memberIds: string[] };
  'chat.created': { chat: Chat; memberIds: string[] };
  'chat.updated': { chat: Chat; memberIds: string[] };
  'member.added': { chatId: string; userId: string; memberIds: string[] };
  'member.removed': { chatId: string; userId: string; memberIds: string[] };
  /** An attachment changed after it was shown (its thumbnail is ready); `messageId` is null while unsent. */
  'attachment.updated': { chatId: string; messageId: string | null; attachment: Attachment; memberIds: string[] };
  /** A member is typing in a chat (never stored; modules forward it, e.g. to a website visitor). */
  'chat.typing': { chatId: string; userId: string };
  /** An account's role changed (admins see every inbox thread, so the bridge adjusts memberships). */
  'user.role-changed': { userId: string; role: UserRole };
  /**
   * An inbox thread passed from a channel's AI agent to people: why (`reason`, with a human-readable `detail`), and
   * who should hear of it (the thread's members). Alerts to operators hang off this event.
   */
  'thread.handoff': { chatId: string; channelId: string; reason: string; detail: string; at: string; memberIds: string[] };
}

export type DomainEventNameOf = keyof DomainEventsOf<unknown, unknown, unknown>;

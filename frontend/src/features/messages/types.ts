import type { MessageResponseDto } from '@messenger/api-client';

/** What the message views need to know about a chat member; the app maps chat members to this. */
export interface MemberInfo {
  userId: string;
  displayName: string;
  lastReadSeq: number;
}

export type DeliveryStatus = 'sending' | 'failed' | 'sent' | 'read';

/** One row of the message list: a stored message or one still in the outbox. */
export interface MessageRow {
  key: string;
  message: MessageResponseDto;
  pending?: 'sending' | 'failed';
}

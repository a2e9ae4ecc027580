/** A row of `scheduled_messages` (read through SQL only; no TypeORM entity is needed for it). */
export const SCHEDULED_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type ScheduledStatus = (typeof SCHEDULED_STATUSES)[number];

export interface ScheduledMessageRow {
  id: string;
  chatId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyToId: string | null;
  sendAt: Date;
  status: ScheduledStatus;
  version: number;
  messageId: string | null;
  failure: string | null;
  createdAt: Date;
  updatedAt: Date;
}

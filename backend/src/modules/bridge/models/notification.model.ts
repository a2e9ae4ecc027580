import type { DeliveryState } from '@/core/message-hooks';
import type { DeliveryPolicy } from './delivery.model';

/** A notification is a `deliveries` row of kind `notification`; this is the part of it the API shows. */
export interface NotificationRow {
  id: string;
  channelId: string;
  externalChatId: string;
  policy: DeliveryPolicy;
  state: DeliveryState;
  generation: number;
  attempts: number;
  externalId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  requestHash: string;
  createdAt: Date;
  /** created_at to the microsecond, for the page cursor. */
  cursorAt: string;
  sentAt: Date | null;
}


import type { DeliveryState } from '@/core/message-hooks';

export const DELIVERY_KINDS = ['reply', 'card', 'notification'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];
export type DeliveryAction = 'send' | 'edit' | 'delete';
/** What happens to an `unknown` send: left for a person (at-most-once) or sent again (at-least-once). */
export type DeliveryPolicy = 'at-most-once' | 'at-least-once';

/** A file of the message, read from our storage when the part goes out. */
export interface DeliveryFile {
  attachmentId: string;
  fileName: string;
  contentType: string;
  size: number;
}

/** A button under a message: a callback to us, or a link. */
export type DeliveryButton = { text: string; callbackData: string } | { text: string; url: string };

/** What the row sends: the text, then (for sends) the files in order; edits and deletes name the provider's message. */
export interface DeliveryPayload {
  text: string;
  files: DeliveryFile[];
  externalMessageId?: string;
  /** One row of buttons under the text (alert cards). */
  buttons?: DeliveryButton[];
}

/** A row of `deliveries`: the outbox of everything sent to a provider. */
export interface DeliveryRow {
  id: string;
  kind: DeliveryKind;
  action: DeliveryAction;
  policy: DeliveryPolicy;
  channelId: string;
  externalChatId: string;
  messageId: string | null;
  contactId: string | null;
  payload: DeliveryPayload;
  state: DeliveryState;
  generation: number;
  attempts: number;
  /** How many parts (text, files) already went out, so a retry never repeats one. */
  partsSent: number;
  externalId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** How many times an at-least-once row was sent again after an unknown outcome (at most once). */
  resends: number;
  /** The operator an alert card is for (cards only). */
  recipientUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

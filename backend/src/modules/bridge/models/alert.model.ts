/** Which threads an operator is alerted about: only those assigned to them, or also the unassigned ones of their channels. */
export const ALERT_THREAD_SCOPES = ['assigned', 'assigned+unassigned'] as const;
export type AlertThreadScope = (typeof ALERT_THREAD_SCOPES)[number];

/** An operator's alert settings (table `operator_alert_settings`); an operator without a row has the defaults. */
export interface AlertSettingsRow {
  threads: AlertThreadScope;
  muted: boolean;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettingsRow = { threads: 'assigned+unassigned', muted: false };

/** Who gets a card about a customer message: a linked operator who may work the thread and wants it. */
export interface AlertRecipient {
  userId: string;
  telegramUserId: string;
}

/** A sent card, found again by the Telegram message a reply quotes. */
export interface AlertCardRow {
  id: string;
  recipientUserId: string;
  messageId: string;
  chatId: string;
}

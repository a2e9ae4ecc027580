import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type AlertCardRow, type AlertRecipient, type AlertSettingsRow, DEFAULT_ALERT_SETTINGS } from '@/modules/bridge/models/alert.model';
import type { ChannelRow } from '@/modules/bridge/models/channel.model';
import type { DeliveryPayload } from '@/modules/bridge/models/delivery.model';

/**
 * Operator alerts: settings, who gets a card, and the cards (rows of `deliveries`, kind `card`). The recipient query
 * reads the messenger's `users` (the Telegram link lives there) in SQL, as the inbox filters do.
 */
@Injectable()
export class AlertRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async settings(userId: string): Promise<AlertSettingsRow> {
    const [row] = await this.dataSource.query<AlertSettingsRow[]>(`SELECT threads, muted FROM operator_alert_settings WHERE user_id = $1`, [userId]);
    return row ?? { ...DEFAULT_ALERT_SETTINGS };
  }

  async saveSettings(userId: string, settings: AlertSettingsRow): Promise<AlertSettingsRow> {
    const [row] = await this.dataSource.query<AlertSettingsRow[]>(
      `INSERT INTO operator_alert_settings (user_id, threads, muted) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET threads = EXCLUDED.threads, muted = EXCLUDED.muted, updated_at = now()
       RETURNING threads, muted`,
      [userId, settings.threads, settings.muted],
    );
    return row;
  }

  /** The alert bot: the oldest live Telegram channel switched to operator alerts. */
  async alertChannelId(): Promise<string | null> {
    const [row] = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM channels WHERE deleted_at IS NULL AND type = 'telegram' AND settings->>'operatorAlerts' = 'true' ORDER BY created_at, id LIMIT 1`,
    );
    return row?.id ?? null;
  }

  isAlertChannel(row: ChannelRow): boolean {
    return row.type === 'telegram' && row.settings?.operatorAlerts === true;
  }

  /**
   * Linked, unmuted people who may work the thread and want to hear of it: its assignee, or, while it is
   * unassigned, the channel's operators who chose unassigned threads too (no row = the default, which does).
   */
  async recipients(chatId: string): Promise<AlertRecipient[]> {
    return this.dataSource.query(
      `SELECT u.id AS "userId", u.telegram_user_id::text AS "telegramUserId"
       FROM inbox_threads t
       JOIN users u ON u.telegram_user_id IS NOT NULL
       LEFT JOIN operator_alert_settings s ON s.user_id = u.id
       WHERE t.chat_id = $1 AND NOT coalesce(s.muted, false)
         AND (u.id = t.assignee_id
              OR (t.assignee_id IS NULL AND coalesce(s.threads, 'assigned+unassigned') = 'assigned+unassigned'
                  AND EXISTS (SELECT 1 FROM channel_operators o WHERE o.channel_id = t.channel_id AND o.user_id = u.id)))
       ORDER BY u.id`,
      [chatId],
    );
  }

  /** One card per (message, operator): a second processing of the same event inserts nothing and returns null. */
  async insertCard(input: { channelId: string; messageId: string; recipient: AlertRecipient; payload: DeliveryPayload }): Promise<{ id: string; generation: number } | null> {
    const [row] = await this.dataSource.query<Array<{ id: string; generation: number }>>(
      `INSERT INTO deliveries (kind, action, policy, channel_id, external_chat_id, message_id, recipient_user_id, payload)
       VALUES ('card', 'send', 'at-most-once', $1, $2, $3, $4, $5)
       ON CONFLICT (message_id, recipient_user_id) WHERE kind = 'card' DO NOTHING RETURNING id, generation`,
      [input.channelId, input.recipient.telegramUserId, input.messageId, input.recipient.userId, input.payload],
    );
    return row ?? null;
  }

  /** The card a Telegram message id is, in the alert bot's chat with one operator. */
  async findCard(channelId: string, telegramChatId: string, telegramMessageId: string): Promise<AlertCardRow | null> {
    const [row] = await this.dataSource.query<AlertCardRow[]>(
      `SELECT d.id, d.recipient_user_id AS "recipientUserId", d.message_id AS "messageId", m.chat_id AS "chatId"
       FROM deliveries d JOIN messages m ON m.id = d.message_id
       WHERE d.kind = 'card' AND d.channel_id = $1 AND d.external_chat_id = $2 AND d.external_id = $3`,
      [channelId, telegramChatId, telegramMessageId],
    );
    return row ?? null;
  }
}

import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext } from '@/core/auth';
import { DomainException, ErrorCode } from '@/core/errors';
import type { ChannelRow } from '@/modules/bridge/models/channel.model';
import type { InboxThreadRow } from '@/modules/bridge/models/inbox-thread.model';
import { AlertRepository } from '@/modules/bridge/repositories/alert.repository';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { type AlertSettingsDto, toAlertSettings, type UpdateAlertSettingsDto } from '@/modules/bridge/schemas/alert.dto';
import { EventRepository } from '@/repositories/event.repository';
import { MessageService } from '@/services/message.service';
import { UserService } from '@/services/user.service';
import { ChannelService } from './channel.service';
import { InboxService } from './inbox.service';
import { OutboundService } from './outbound.service';

/** The customer's text on a card is cut to this many characters; the thread has the whole of it. */
export const CARD_TEXT_MAX = 1000;
const TAKE_PREFIX = 'take:';
/** How far back a hand-off card looks for the customer's last message. */
const HANDOFF_LOOKBACK = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ALERT_ANSWERS = {
  taken: 'Taken',
  takenBy: (name: string) => `Already taken by ${name}`,
  notLinked: 'This Telegram account is not linked to the messenger',
  noAccess: 'You no longer have access to this thread',
  replyLost: 'You no longer have access to this thread, so your reply was not sent to the customer.',
  replyHint: 'Reply to an alert card to answer its customer.',
  textOnly: 'Only text replies can be sent from Telegram; open the thread to send files.',
} as const;

/** The card's text: where it came from, who wrote, about which listing, and what they wrote. */
export function cardText(input: { channelName: string; contactName: string; itemTitle?: string | null; body: string; headline?: string }): string {
  const body = input.body.trim() || '[a file]';
  const text = body.length > CARD_TEXT_MAX ? `${body.slice(0, CARD_TEXT_MAX - 1)}…` : body;
  return [
    ...(input.headline ? [input.headline] : []),
    `💬 ${input.channelName}`,
    `👤 ${input.contactName}`,
    ...(input.itemTitle ? [`📦 ${input.itemTitle}`] : []),
    '',
    text,
  ].join('\n');
}

type TelegramMessage = {
  message_id?: number;
  text?: string;
  caption?: string;
  chat?: { id: number; type?: string };
  from?: { id: number };
  reply_to_message?: { message_id?: number };
};
type TelegramCallback = { id: string; from?: { id: number }; data?: string };

/**
 * Operator alerts on Telegram: a card per new customer message to every linked operator who may work the thread
 * (through the one outbox and sender), "Take" on the card, and replies to a card going to the customer as the
 * operator's message through the same send path as the inbox composer.
 */
@Injectable()
export class AlertService implements OnModuleInit {
  private readonly logger = new Logger('Alerts');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly alerts: AlertRepository,
    private readonly channelRows: ChannelRepository,
    private readonly inbox: InboxRepository,
    private readonly channels: ChannelService,
    private readonly outbound: OutboundService,
    private readonly threads: InboxService,
    private readonly messages: MessageService,
    private readonly users: UserService,
    private readonly events: EventRepository,
  ) {}

  onModuleInit(): void {
    this.events.on('thread.handoff', (event) =>
      void this.onHandOff(event.chatId, event.reason, event.detail).catch((error: Error) => this.logger.warn({ err: error, chatId: event.chatId }, 'no hand-off card')),
    );
  }

  /**
   * The AI agent gave a thread to people: a card about the customer's last message, saying why, to whoever may work
   * it. Not when a person took it themself (an operator's reply or "Take over"): they are already there.
   */
  async onHandOff(chatId: string, reason: string, detail: string): Promise<void> {
    if (reason === 'take-over' || reason === 'operator-message') return;
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) return;
    const recent = await this.messages.recentForAgent(chatId, HANDOFF_LOOKBACK);
    const last = [...recent].reverse().find((m) => m.senderContactId !== null);
    if (!last) return;
    await this.onCustomerMessage(thread, { id: last.id, body: last.body }, `🙋 Handed to people: ${detail}`);
  }

  async settings(auth: AuthContext): Promise<AlertSettingsDto> {
    return toAlertSettings(await this.alerts.settings(auth.userId));
  }

  async updateSettings(auth: AuthContext, dto: UpdateAlertSettingsDto): Promise<AlertSettingsDto> {
    const current = await this.alerts.settings(auth.userId);
    return toAlertSettings(await this.alerts.saveSettings(auth.userId, { threads: dto.threads ?? current.threads, muted: dto.muted ?? current.muted }));
  }

  /**
   * Cards about a customer message. Safe to call again for the same message (a re-run inbound job): the outbox
   * takes one card per message and operator, and only new rows are queued.
   */
  async onCustomerMessage(thread: InboxThreadRow, message: { id: string; body: string | null }, headline?: string): Promise<void> {
    const alertChannelId = await this.alerts.alertChannelId();
    if (!alertChannelId) return;
    const recipients = await this.alerts.recipients(thread.chatId);
    if (recipients.length === 0) return;
    const [channel, [contact]] = await Promise.all([this.channelRows.findById(thread.channelId), this.inbox.contactsByIds([thread.contactId])]);
    const text = cardText({ channelName: channel?.name ?? 'Channel', contactName: contact?.name ?? 'Customer', itemTitle: thread.context?.title, body: message.body ?? '', headline });
    const buttons = [
      { text: 'Take', callbackData: `${TAKE_PREFIX}${thread.chatId}` },
      { text: 'Open', url: `${this.config.bridge.publicUrl ?? this.config.mail.publicUrl}/inbox/${thread.chatId}` },
    ];
    const rows = [];
    for (const recipient of recipients) {
      const row = await this.alerts.insertCard({ channelId: alertChannelId, messageId: message.id, recipient, payload: { text, files: [], buttons } });
      if (row) rows.push(row);
    }
    // The rows are committed; a lost enqueue is picked up by the delivery sweeper.
    if (rows.length) await this.outbound.enqueueRows(rows).catch((error: Error) => this.logger.warn({ err: error }, 'cards not queued now; the sweeper will'));
  }

  /**
   * An update to the alert bot that is an operator's, not a customer's: a "Take" tap, or a message from a linked
   * operator (a reply to a card, or a hint how to reply). Returns true when handled here.
   */
  async handleUpdate(row: ChannelRow, payload: Record<string, unknown>): Promise<boolean> {
    if (!this.alerts.isAlertChannel(row)) return false;
    const callback = payload.callback_query as TelegramCallback | undefined;
    if (callback?.data?.startsWith(TAKE_PREFIX)) {
      await this.take(row, callback);
      return true;
    }
    const message = payload.message as TelegramMessage | undefined;
    if (!message?.from || !message.chat || message.chat.type !== 'private') return false;
    const user = await this.users.findByTelegramId(String(message.from.id));
    // Customers may write to the alert bot too; only linked operators are answered here.
    if (!user) return false;
    const chatId = String(message.chat.id);
    const quoted = message.reply_to_message?.message_id;
    const card = quoted === undefined ? null : await this.alerts.findCard(row.id, chatId, String(quoted));
    if (!card) {
      await this.say(row, chatId, ALERT_ANSWERS.replyHint);
      return true;
    }
    const body = (message.text ?? message.caption ?? '').trim();
    if (!body) {
      await this.say(row, chatId, ALERT_ANSWERS.textOnly);
      return true;
    }
    const auth: AuthContext = { userId: user.id, username: user.username, role: user.role };
    try {
      // The update id makes the client id, so a re-run of this event finds the message it already stored.
      await this.messages.send(auth, card.chatId, { clientId: `tg-alert:${row.id}:${String(payload.update_id)}`, body });
    } catch (error) {
      if (!(error instanceof DomainException)) throw error;
      await this.say(row, chatId, error.code === ErrorCode.NotFound ? ALERT_ANSWERS.replyLost : `Your reply was not sent: ${error.message}`);
    }
    return true;
  }

  private async take(row: ChannelRow, callback: TelegramCallback): Promise<void> {
    const chatId = callback.data!.slice(TAKE_PREFIX.length);
    const user = callback.from ? await this.users.findByTelegramId(String(callback.from.id)) : null;
    let answer: string;
    if (!user) answer = ALERT_ANSWERS.notLinked;
    else if (!UUID.test(chatId)) answer = ALERT_ANSWERS.noAccess;
    else {
      try {
        const result = await this.threads.take({ userId: user.id, username: user.username, role: user.role }, chatId);
        answer = result.taken ? ALERT_ANSWERS.taken : ALERT_ANSWERS.takenBy(result.assignee.name);
      } catch (error) {
        if (!(error instanceof DomainException) || error.code !== ErrorCode.NotFound) throw error;
        answer = ALERT_ANSWERS.noAccess;
      }
    }
    const channel = this.channels.toProviderChannel(row);
    // Telegram takes one answer per tap, within seconds: a failed answer is logged, never retried.
    await this.channels
      .provider('telegram')
      .answerCallback(channel, callback.id, answer)
      .catch((error: Error) => this.logger.warn({ err: error, channelId: row.id }, 'callback answer not sent'));
  }

  /** A short answer to an operator in the alert bot's chat (not a customer message, so not an outbox row). */
  private async say(row: ChannelRow, chatId: string, text: string): Promise<void> {
    await this.channels
      .provider('telegram')
      .sendText(this.channels.toProviderChannel(row), { externalChatId: chatId, text })
      .catch((error: Error) => this.logger.warn({ err: error, channelId: row.id }, 'alert bot answer not sent'));
  }
}

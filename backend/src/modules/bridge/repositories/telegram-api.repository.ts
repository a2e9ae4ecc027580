import { Inject, Injectable } from '@nestjs/common';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import {
  CHANNEL_CAPABILITIES,
  type ChannelCredentials,
  type ChannelProvider,
  type DownloadedFile,
  type InboundFileSource,
  type OutboundFile,
  type OutboundText,
  type ProviderChannel,
  ProviderError,
  type ProviderFailure,
  type RateLimitHeaders,
  type SentMessage,
  type VerifiedAccount,
} from './channel-provider';

/** Connection failures where the request never reached Telegram: safe to send again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const BLOCKED = [/bot was blocked by the user/i, /user is deactivated/i, /chat not found/i, /bot was kicked/i, /bot can't initiate conversation/i];

/** Maps whatever grammY threw to one of the provider failures; the token never appears in a description. */
export function telegramFailure(error: unknown): ProviderFailure {
  if (error instanceof GrammyError) {
    const status = error.error_code;
    const description = error.description;
    if (status === 429) return { kind: 'rate-limited', retryAfterSeconds: Math.max(1, error.parameters.retry_after ?? 1) };
    if ((status === 403 || status === 400) && BLOCKED.some((re) => re.test(description))) return { kind: 'blocked', description };
    if (status >= 500) return { kind: 'transient', description };
    return { kind: 'rejected', status, description };
  }
  if (error instanceof HttpError) {
    const inner = error.error as { code?: string; errno?: string; message?: string; cause?: { code?: string } } | undefined;
    const code = inner?.code ?? inner?.errno ?? inner?.cause?.code;
    if (code && NOT_SENT_CODES.has(code)) return { kind: 'transient', description: `connection failed (${code})` };
    // A timeout or a reset after the request was written: Telegram may have sent the message.
    return { kind: 'unknown', description: /timed out/i.test(inner?.message ?? '') ? 'no answer from Telegram in time' : `connection lost (${code ?? 'reset'})` };
  }
  return { kind: 'unknown', description: error instanceof Error ? error.message : String(error) };
}

/** The Telegram Bot API through grammY's `Api`; `TELEGRAM_API_URL` points it elsewhere (a fake in tests). */
@Injectable()
export class TelegramApiRepository implements ChannelProvider {
  readonly type = 'telegram' as const;
  readonly capabilities = CHANNEL_CAPABILITIES.telegram;
  onRateLimitHeaders?: (channelId: string, headers: RateLimitHeaders) => void;
  private readonly apis = new Map<string, Api>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private api(credentials: ChannelCredentials): Api {
    if (credentials.type !== 'telegram') throw new Error('not Telegram credentials');
    let api = this.apis.get(credentials.botToken);
    if (!api) {
      api = new Api(credentials.botToken, { apiRoot: this.config.bridge.telegramApiUrl, timeoutSeconds: this.config.bridge.providerTimeoutSeconds });
      if (this.apis.size > 1000) this.apis.clear();
      this.apis.set(credentials.botToken, api);
    }
    return api;
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new ProviderError(telegramFailure(error));
    }
  }

  async verify(credentials: ChannelCredentials): Promise<VerifiedAccount> {
    const me = await this.call(() => this.api(credentials).getMe());
    return { externalAccountId: String(me.id), displayName: me.first_name, username: me.username };
  }

  async registerWebhook(channel: ProviderChannel, url: string, secret: string): Promise<void> {
    await this.call(() =>
      this.api(channel.credentials).setWebhook(url, {
        secret_token: secret,
        allowed_updates: ['message', 'edited_message', 'callback_query'],
      }),
    );
  }

  async unregisterWebhook(channel: ProviderChannel): Promise<void> {
    await this.call(() => this.api(channel.credentials).deleteWebhook());
  }

  async isWebhookRegistered(channel: ProviderChannel, url: string): Promise<boolean> {
    const info = await this.call(() => this.api(channel.credentials).getWebhookInfo());
    return info.url === url;
  }

  async sendText(channel: ProviderChannel, message: OutboundText): Promise<SentMessage> {
    const buttons = message.buttons?.map((b) => (b.url ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.callbackData ?? '' }));
    const options = buttons?.length ? { reply_markup: { inline_keyboard: [buttons] } } : {};
    const sent = await this.call(() => this.api(channel.credentials).sendMessage(message.externalChatId, message.text, options));
    return { externalId: String(sent.message_id) };
  }

  async sendFile(channel: ProviderChannel, message: OutboundFile): Promise<SentMessage> {
    const api = this.api(channel.credentials);
    const file = new InputFile(message.data, message.fileName);
    const options = message.caption ? { caption: message.caption } : {};
    // Telegram recompresses photos; only the kinds it shows inline go as photos, everything else as a document.
    const asPhoto = /^image\/(jpeg|png|webp)$/.test(message.contentType) && message.data.length <= 10 * 1024 * 1024;
    const sent = await this.call<{ message_id: number }>(() => (asPhoto ? api.sendPhoto(message.externalChatId, file, options) : api.sendDocument(message.externalChatId, file, options)));
    return { externalId: String(sent.message_id) };
  }

  async editText(channel: ProviderChannel, externalChatId: string, externalMessageId: string, text: string): Promise<void> {
    await this.call(() => this.api(channel.credentials).editMessageText(externalChatId, Number(externalMessageId), text));
  }

  async deleteMessage(channel: ProviderChannel, externalChatId: string, externalMessageId: string): Promise<void> {
    await this.call(() => this.api(channel.credentials).deleteMessage(externalChatId, Number(externalMessageId)));
  }

  async answerCallback(channel: ProviderChannel, callbackQueryId: string, text: string): Promise<void> {
    await this.call(() => this.api(channel.credentials).answerCallbackQuery(callbackQueryId, { text }));
  }

  async downloadFile(channel: ProviderChannel, source: InboundFileSource): Promise<DownloadedFile> {
    if (source.kind !== 'telegram-file') throw new Error('Telegram files are fetched by file_id');
    if (channel.credentials.type !== 'telegram') throw new Error('not Telegram credentials');
    const token = channel.credentials.botToken;
    const file = await this.call(() => this.api(channel.credentials).getFile(source.fileId));
    if (!file.file_path) throw new ProviderError({ kind: 'rejected', status: 400, description: 'Telegram gave no path for the file' });
    const response = await this.call(() =>
      fetch(`${this.config.bridge.telegramApiUrl}/file/bot${token}/${file.file_path}`, { signal: AbortSignal.timeout(this.config.bridge.providerTimeoutSeconds * 1000) }),
    );
    if (!response.ok) {
      const failure: ProviderFailure =
        response.status >= 500 ? { kind: 'transient', description: `file download answered ${response.status}` } : { kind: 'rejected', status: response.status, description: `file download answered ${response.status}` };
      throw new ProviderError(failure);
    }
    return {
      data: Buffer.from(await response.arrayBuffer()),
      contentType: response.headers.get('content-type'),
      fileName: file.file_path.split('/').pop() ?? null,
    };
  }

  /** A Telegram user's profile link, when they have a public username. */
  profileUrl(username: string | undefined): string | null {
    return username ? `https://t.me/${username}` : null;
  }
}

// The channel kinds and their limits are data of the module (models), shared with its schemas; re-exported here so
// provider code and the outbound path see one interface file.
import { CHANNEL_CAPABILITIES, type ChannelCapabilities, type ChannelType } from '@/modules/bridge/models/channel.model';
export { CHANNEL_CAPABILITIES, type ChannelCapabilities, type ChannelType };
export type ChannelCredentials =
  | { type: 'telegram'; botToken: string }
  | { type: 'avito'; clientId: string; clientSecret: string }
  // A web channel talks to nobody outside: its visitors come to us, so there is nothing secret to keep.
  | { type: 'web' };
/** What a provider call needs to know about a channel (credentials already decrypted). */
export interface ProviderChannel { id: string; type: ChannelType; externalAccountId: string | null; credentials: ChannelCredentials }
export interface VerifiedAccount { externalAccountId: string; displayName: string; username?: string }
export interface OutboundButton { text: string; callbackData?: string; url?: string }
export interface OutboundText { externalChatId: string; text: string; buttons?: OutboundButton[] }
export interface OutboundFile { externalChatId: string; caption?: string; fileName: string; contentType: string; data: Buffer }
export interface SentMessage { externalId: string }
/** Every provider failure is normalised to one of these; the outbound service maps them to delivery states. */
export type ProviderFailure =
  | { kind: 'rate-limited'; retryAfterSeconds: number }               // 429: pause the bot/account, no attempt spent
  | { kind: 'blocked'; description: string }                          // TG 403 blocked/deactivated, 400 chat not found
  | { kind: 'rejected'; status: number; description: string }         // any other 4xx: failed, no retry
  | { kind: 'transient'; description: string }                       // 5xx, or connection failed BEFORE the request was written
  | { kind: 'unknown'; description: string };                         // timeout/reset AFTER the request was written
export class ProviderError extends Error {
  constructor(readonly failure: ProviderFailure) { super(failure.kind === 'rate-limited' ? 'rate limited' : failure.description); this.name = 'ProviderError'; }
}
export interface ChannelProvider {
  readonly type: ChannelType;
  readonly capabilities: ChannelCapabilities;
  /** Checks credentials with the provider (getMe / token + accounts/self); a ProviderError 'rejected' means bad credentials. */
  verify(credentials: ChannelCredentials): Promise<VerifiedAccount>;
  registerWebhook(channel: ProviderChannel, url: string, secret: string): Promise<void>;
  unregisterWebhook(channel: ProviderChannel): Promise<void>;
  isWebhookRegistered(channel: ProviderChannel, url: string): Promise<boolean>;
  sendText(channel: ProviderChannel, message: OutboundText): Promise<SentMessage>;
  sendFile(channel: ProviderChannel, message: OutboundFile): Promise<SentMessage>;
  editText(channel: ProviderChannel, externalChatId: string, externalMessageId: string, text: string): Promise<void>;
  deleteMessage(channel: ProviderChannel, externalChatId: string, externalMessageId: string): Promise<void>;
  /** Answers a tap on a message's button (Telegram's answerCallbackQuery); providers without buttons refuse. */
  answerCallback(channel: ProviderChannel, callbackQueryId: string, text: string): Promise<void>;
  /**
   * Called with the provider's rate-limit headers after every call that carried them (Avito's X-RateLimit-*),
   * so the outbound limiter can slow down before the provider says 429.
   */
  onRateLimitHeaders?: (channelId: string, headers: RateLimitHeaders) => void;
  /** Downloads a file a customer sent (Telegram file_id, or a provider URL), for storing it as an attachment. */
  downloadFile(channel: ProviderChannel, source: InboundFileSource): Promise<DownloadedFile>;
}

/** Rate-limit headers as the provider sent them (null when absent). */
export interface RateLimitHeaders { limit: number | null; remaining: number | null }
export type InboundFileSource = { kind: 'telegram-file'; fileId: string } | { kind: 'url'; url: string };
export interface DownloadedFile { data: Buffer; contentType: string | null; fileName: string | null }

import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { RedisRepository } from '@/repositories/redis.repository';
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
import { SecretBoxRepository } from './secret-box.repository';

/** The shapes of the few Avito calls we make, typed by hand from ../shared/avito/*.openapi.json. */
export interface AvitoTokenResponse {
  access_token: string;
  expires_in: number;
  token_type: string;
}
export interface AvitoSelf {
  id: number;
  name?: string;
  email?: string;
  profile_url?: string;
}
export interface AvitoMessageContent {
  text?: string | null;
  image?: { sizes?: Record<string, string> } | null;
  link?: { text?: string; url?: string; preview?: { title?: string; description?: string; url?: string } | null } | null;
  item?: { title?: string; price_string?: string | null; item_url?: string; image_url?: string } | null;
  location?: { lat?: number; lon?: number; text?: string; title?: string; kind?: string } | null;
  voice?: { voice_id?: string } | null;
  call?: { status?: string; target_user_id?: number } | null;
  flow_id?: string | null;
}
/** The `value` of a webhook payload (WebhookMessage). */
export interface AvitoWebhookMessage {
  id: string;
  chat_id: string;
  user_id: number;
  author_id: number;
  created: number;
  type: string;
  chat_type?: string;
  content?: AvitoMessageContent;
  item_id?: number | null;
  published_at?: string;
  read?: number | null;
}
/** An item of GET /messenger/v3/accounts/{user_id}/chats/{chat_id}/messages/. */
export interface AvitoListedMessage {
  id: string;
  author_id: number;
  created: number;
  direction: 'in' | 'out';
  type: string;
  content?: AvitoMessageContent;
  is_read?: boolean;
}
export interface AvitoChat {
  id: string;
  created?: number;
  updated?: number;
  context?: { type?: string; value?: { id?: number; title?: string; price_string?: string; url?: string; images?: { main?: Record<string, string> } } };
  users?: Array<{ id: number; name?: string; public_user_profile?: { user_id?: number; url?: string; avatar?: { default?: string; images?: Record<string, string> } } }>;
  last_message?: { id?: string; created?: number; direction?: string } | null;
}

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

const TOKEN_LOCK_MS = 10_000;
const TOKEN_WAIT_MS = 8000;
/** A token is renewed once 80 % of its life has passed, before Avito starts refusing it. */
const PROACTIVE_REFRESH_AT = 0.8;
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

type Method = 'GET' | 'POST';

/**
 * Avito's REST API (messenger, auth, user info) with per-account client_credentials tokens: cached in Redis (sealed),
 * renewed at 80 % of their life, and on a 401/403 renewed once (one renewal at a time per account, by a Redis lock)
 * before the call is tried again.
 */
@Injectable()
export class AvitoApiRepository implements ChannelProvider {
  readonly type = 'avito' as const;
  readonly capabilities = CHANNEL_CAPABILITIES.avito;
  onRateLimitHeaders?: (channelId: string, headers: RateLimitHeaders) => void;
  private readonly logger = new Logger('AvitoApi');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisRepository,
    private readonly box: SecretBoxRepository,
  ) {}

  async verify(credentials: ChannelCredentials): Promise<VerifiedAccount> {
    const token = await this.issueToken(credentials);
    const self = await this.request<AvitoSelf>('GET', '/core/v1/accounts/self', { token: token.token });
    return { externalAccountId: String(self.id), displayName: self.name ?? `Avito ${self.id}` };
  }

  async registerWebhook(channel: ProviderChannel, url: string): Promise<void> {
    await this.authed(channel, 'POST', '/messenger/v3/webhook', { json: { url } });
  }

  async unregisterWebhook(channel: ProviderChannel, url?: string): Promise<void> {
    const urls = url ? [url] : (await this.subscriptions(channel)).filter((u) => u.includes(`/webhooks/avito/${channel.id}/`));
    for (const u of urls) await this.authed(channel, 'POST', '/messenger/v1/webhook/unsubscribe', { json: { url: u } });
  }

  async isWebhookRegistered(channel: ProviderChannel, url: string): Promise<boolean> {
    return (await this.subscriptions(channel)).includes(url);
  }

  async subscriptions(channel: ProviderChannel): Promise<string[]> {
    const body = await this.authed<{ subscriptions?: Array<{ url: string }> }>(channel, 'POST', '/messenger/v1/subscriptions', {});
    return (body.subscriptions ?? []).map((s) => s.url);
  }

  async sendText(channel: ProviderChannel, message: OutboundText): Promise<SentMessage> {
    const sent = await this.authed<{ id: string }>(channel, 'POST', `${this.chatPath(channel, message.externalChatId)}/messages`, {
      json: { message: { text: message.text }, type: 'text' },
    });
    return { externalId: String(sent.id) };
  }

  async sendFile(channel: ProviderChannel, message: OutboundFile): Promise<SentMessage> {
    if (!message.contentType.startsWith('image/')) {
      throw new ProviderError({ kind: 'rejected', status: 400, description: 'Avito accepts images only' });
    }
    const form = new FormData();
    form.append('uploadfile[]', new Blob([new Uint8Array(message.data)], { type: message.contentType }), message.fileName);
    const uploaded = await this.authed<Record<string, Record<string, string>>>(channel, 'POST', `/messenger/v1/accounts/${this.accountId(channel)}/uploadImages`, {
      form,
    });
    const imageId = Object.keys(uploaded)[0];
    if (!imageId) throw new ProviderError({ kind: 'rejected', status: 400, description: 'Avito did not accept the image' });
    const sent = await this.authed<{ id: string }>(channel, 'POST', `${this.chatPath(channel, message.externalChatId)}/messages/image`, {
      json: { image_id: imageId },
    });
    if (message.caption) await this.sendText(channel, { externalChatId: message.externalChatId, text: message.caption });
    return { externalId: String(sent.id) };
  }

  async editText(): Promise<void> {
    throw new ProviderError({ kind: 'rejected', status: 400, description: 'Avito messages cannot be edited' });
  }

  async deleteMessage(channel: ProviderChannel, externalChatId: string, externalMessageId: string): Promise<void> {
    await this.authed(channel, 'POST', `${this.chatPath(channel, externalChatId)}/messages/${encodeURIComponent(externalMessageId)}`, { json: {} });
  }

  async answerCallback(): Promise<void> {
    throw new ProviderError({ kind: 'rejected', status: 0, description: 'Avito messages have no buttons to answer' });
  }

  async markRead(channel: ProviderChannel, externalChatId: string): Promise<void> {
    await this.authed(channel, 'POST', `${this.chatPath(channel, externalChatId)}/read`, { json: {} });
  }

  async getChat(channel: ProviderChannel, externalChatId: string): Promise<AvitoChat> {
    return this.authed<AvitoChat>(channel, 'GET', `/messenger/v2/accounts/${this.accountId(channel)}/chats/${encodeURIComponent(externalChatId)}`, {});
  }

  async listChats(channel: ProviderChannel, options: { unreadOnly: boolean; limit: number; offset: number }): Promise<AvitoChat[]> {
    const query = new URLSearchParams({ unread_only: String(options.unreadOnly), limit: String(options.limit), offset: String(options.offset), chat_types: 'u2i,u2u' });
    const body = await this.authed<{ chats?: AvitoChat[] }>(channel, 'GET', `/messenger/v2/accounts/${this.accountId(channel)}/chats?${query}`, {});
    return body.chats ?? [];
  }

  /** Newest first, as Avito returns them. */
  async listMessages(channel: ProviderChannel, externalChatId: string, options: { limit: number; offset: number }): Promise<AvitoListedMessage[]> {
    const query = new URLSearchParams({ limit: String(options.limit), offset: String(options.offset) });
    const body = await this.authed<AvitoListedMessage[] | { messages?: AvitoListedMessage[] }>(
      channel,
      'GET',
      `/messenger/v3/accounts/${this.accountId(channel)}/chats/${encodeURIComponent(externalChatId)}/messages/?${query}`,
      {},
    );
    return Array.isArray(body) ? body : (body.messages ?? []);
  }

  /** Voice messages are links that live about an hour. */
  async voiceUrl(channel: ProviderChannel, voiceId: string): Promise<string | null> {
    const body = await this.authed<{ voices_urls?: Record<string, string> }>(
      channel,
      'GET',
      `/messenger/v1/accounts/${this.accountId(channel)}/getVoiceFiles?voice_ids=${encodeURIComponent(voiceId)}`,
      {},
    );
    return body.voices_urls?.[voiceId] ?? null;
  }

  async downloadFile(_channel: ProviderChannel, source: InboundFileSource): Promise<DownloadedFile> {
    if (source.kind !== 'url') throw new Error('Avito files are fetched by URL');
    let response: Response;
    try {
      response = await fetch(source.url, { signal: AbortSignal.timeout(this.config.bridge.providerTimeoutSeconds * 1000) });
    } catch (error) {
      throw new ProviderError(this.networkFailure(error));
    }
    if (!response.ok) {
      throw new ProviderError(
        response.status >= 500
          ? { kind: 'transient', description: `file download answered ${response.status}` }
          : { kind: 'rejected', status: response.status, description: `file download answered ${response.status}` },
      );
    }
    const name = new URL(source.url).pathname.split('/').pop() || null;
    return { data: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type'), fileName: name };
  }

  private accountId(channel: ProviderChannel): string {
    if (!channel.externalAccountId) throw new ProviderError({ kind: 'rejected', status: 400, description: 'the channel has no Avito account id' });
    return channel.externalAccountId;
  }

  private chatPath(channel: ProviderChannel, externalChatId: string): string {
    return `/messenger/v1/accounts/${this.accountId(channel)}/chats/${encodeURIComponent(externalChatId)}`;
  }

  /** A call with the account's token; a 401/403 renews the token once and tries again. */
  private async authed<T>(channel: ProviderChannel, method: Method, path: string, body: { json?: unknown; form?: FormData }): Promise<T> {
    const token = await this.token(channel);
    try {
      return await this.request<T>(method, path, { ...body, token: token.token, channelId: channel.id });
    } catch (error) {
      if (!(error instanceof ProviderError) || error.failure.kind !== 'rejected' || ![401, 403].includes(error.failure.status)) throw error;
      const fresh = await this.refresh(channel, token.token);
      return this.request<T>(method, path, { ...body, token: fresh.token, channelId: channel.id });
    }
  }

  private tokenKey(channel: ProviderChannel): string {
    if (channel.credentials.type !== 'avito') throw new Error('not Avito credentials');
    // Keyed by the credentials too, so a changed client id never reuses the old account's token.
    return this.redis.key('bridge', 'avito-token', channel.id, this.box.hash(`${channel.credentials.clientId}\0${channel.credentials.clientSecret}`).slice(0, 16));
  }

  private async cached(channel: ProviderChannel): Promise<CachedToken | null> {
    const sealed = await this.redis.client.get(this.tokenKey(channel));
    if (!sealed) return null;
    try {
      return JSON.parse(this.box.open(sealed, `avito-token:${channel.id}`)) as CachedToken;
    } catch {
      return null;
    }
  }

  private async token(channel: ProviderChannel): Promise<CachedToken> {
    const cached = await this.cached(channel);
    const now = Date.now();
    if (cached && now < cached.expiresAt) {
      const age = (now - cached.issuedAt) / (cached.expiresAt - cached.issuedAt);
      if (age < PROACTIVE_REFRESH_AT) return cached;
      // Past 80 % of its life: renew if nobody else is, otherwise keep using the still-valid one.
      return (await this.renewUnderLock(channel, cached.token, false)) ?? cached;
    }
    return this.refresh(channel, cached?.token ?? null);
  }

  /** Renews the token unless another caller already did (the cached one differs from `stale`). */
  private async refresh(channel: ProviderChannel, stale: string | null): Promise<CachedToken> {
    const renewed = await this.renewUnderLock(channel, stale, true);
    if (!renewed) throw new ProviderError({ kind: 'transient', description: 'timed out waiting for the Avito token renewal' });
    return renewed;
  }

  private async renewUnderLock(channel: ProviderChannel, stale: string | null, wait: boolean): Promise<CachedToken | null> {
    const lockKey = `${this.tokenKey(channel)}:lock`;
    const deadline = Date.now() + TOKEN_WAIT_MS;
    for (;;) {
      const current = await this.cached(channel);
      if (current && current.token !== stale && Date.now() < current.expiresAt) return current;
      const owner = this.box.randomSecret(9);
      if ((await this.redis.client.set(lockKey, owner, 'PX', TOKEN_LOCK_MS, 'NX')) === 'OK') {
        try {
          const again = await this.cached(channel);
          if (again && again.token !== stale && Date.now() < again.expiresAt) return again;
          const issued = await this.issueToken(channel.credentials);
          const ttlMs = Math.max(1000, issued.expiresAt - issued.issuedAt);
          await this.redis.client.set(this.tokenKey(channel), this.box.seal(JSON.stringify(issued), `avito-token:${channel.id}`), 'PX', ttlMs);
          return issued;
        } finally {
          // Only our own lock is released.
          await this.redis.client.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, lockKey, owner);
        }
      }
      if (!wait || Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async issueToken(credentials: ChannelCredentials): Promise<CachedToken> {
    if (credentials.type !== 'avito') throw new Error('not Avito credentials');
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret });
    const issuedAt = Date.now();
    const body = await this.request<AvitoTokenResponse & { error?: string; error_description?: string }>('POST', '/token', { urlencoded: form });
    if (!body.access_token) {
      throw new ProviderError({ kind: 'rejected', status: 400, description: body.error_description ?? body.error ?? 'Avito issued no token' });
    }
    return { token: body.access_token, issuedAt, expiresAt: issuedAt + (body.expires_in ?? 86_400) * 1000 };
  }

  private async request<T>(
    method: Method,
    path: string,
    options: { token?: string; json?: unknown; form?: FormData; urlencoded?: URLSearchParams; channelId?: string },
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body: string | FormData | URLSearchParams | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) body = options.form;
    else if (options.urlencoded) body = options.urlencoded;
    let response: Response;
    try {
      response = await fetch(`${this.config.bridge.avitoApiUrl}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.config.bridge.providerTimeoutSeconds * 1000),
      });
    } catch (error) {
      throw new ProviderError(this.networkFailure(error));
    }
    const limit = response.headers.get('x-ratelimit-limit');
    const remaining = response.headers.get('x-ratelimit-remaining');
    if (options.channelId && (limit !== null || remaining !== null)) {
      this.onRateLimitHeaders?.(options.channelId, { limit: limit === null ? null : Number(limit), remaining: remaining === null ? null : Number(remaining) });
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      try {
        return (text ? JSON.parse(text) : {}) as T;
      } catch {
        throw new ProviderError({ kind: 'transient', description: `Avito answered ${response.status} with a body that is not JSON` });
      }
    }
    throw new ProviderError(this.httpFailure(response, text));
  }

  private httpFailure(response: Response, text: string): ProviderFailure {
    const status = response.status;
    let description = `Avito answered ${status}`;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string } | string; message?: string; error_description?: string };
      const message = typeof parsed.error === 'object' ? parsed.error?.message : (parsed.error_description ?? parsed.message ?? parsed.error);
      if (message) description = String(message);
    } catch {
      // The status alone describes it.
    }
    if (status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return { kind: 'rate-limited', retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 60 };
    }
    if (status >= 500) return { kind: 'transient', description };
    return { kind: 'rejected', status, description };
  }

  private networkFailure(error: unknown): ProviderFailure {
    const cause = (error as { cause?: { code?: string }; name?: string })?.cause;
    const code = cause?.code;
    if (code && NOT_SENT_CODES.has(code)) return { kind: 'transient', description: `connection failed (${code})` };
    if ((error as { name?: string })?.name === 'TimeoutError') return { kind: 'unknown', description: 'no answer from Avito in time' };
    this.logger.debug({ code }, 'Avito connection lost');
    return { kind: 'unknown', description: `connection lost (${code ?? 'reset'})` };
  }
}

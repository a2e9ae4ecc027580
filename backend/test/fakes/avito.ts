import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyTooLargeError,
  FaultTable,
  hang,
  listen,
  offlineFor,
  parseBody,
  postJson,
  readBody,
  refuse,
  route,
  sendBytes,
  sendJson,
  sleep,
  type UploadedPart,
} from './http';

/**
 * A fake Avito API following Avito's OpenAPI specs (../shared/avito: auth, user-info, messenger): client_credentials
 * tokens, the account, chats v2, messages v3, text and image sends, delete, read, voice files, webhook v3
 * subscriptions; error bodies `{error:{code,message}}` as the spec describes them, X-RateLimit-* headers on every
 * answer. Where the live API differs from the spec (echoes of own messages, 401 vs 403 on expired tokens, webhook
 * `version` strings) the fake behaves like the live API. A JSON control surface lives under `/_fake/...`.
 */

export type AvitoFault =
  | { kind: 'rate-limit'; retryAfter: number }
  | { kind: 'server-error'; status?: number }
  | { kind: 'hang-after-accept'; ms?: number }
  | { kind: 'error'; status: number; message: string }
  | { kind: 'refuse-connection' };

export interface AvitoCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  token?: string;
  at: number;
}

export interface AvitoSent {
  chatId: string;
  messageId: string;
  type: 'text' | 'image';
  text?: string;
  imageId?: string;
  at: number;
}

export interface AvitoItem {
  id: number;
  title: string;
  price: string;
  url: string;
  imageUrl?: string;
}

export interface CustomerContent {
  text?: string;
  imageUrl?: string;
  /** Image bytes served by the fake (a generated PNG when neither this nor imageUrl is given for an image). */
  imageData?: Buffer;
  voiceId?: string;
  link?: string;
  /** text | image | voice | link | item | location | system | call | appCall | file | video; inferred when absent. */
  type?: string;
  location?: { lat: number; lon: number; title?: string };
  item?: { title: string; price?: string; url: string; imageUrl?: string };
}

export interface FakeAvitoAccount {
  clientId: string;
  clientSecret: string;
  userId: number;
  name: string;
  calls: AvitoCall[];
  sent: AvitoSent[];
  deletedMessages: Array<{ chatId: string; messageId: string; at: number }>;
  reads: Array<{ chatId: string; at: number }>;
  /** Every webhook POST: its answer (0 = none), how long it took (Avito wants the 200 within 2 s), the body. */
  deliveries: Array<{ url: string; status: number; ms: number; body: Record<string, unknown>; at: number }>;
  tokensIssued: number;
  webhooks: string[];
  expireTokens(status?: 401 | 403): void;
  fault(pathPattern: string | '*', fault: AvitoFault | null, times?: number): void;
  rateLimitRemaining(n: number | null): void;
  echoes(on: boolean): void;
  addChat(opts?: { chatId?: string; customerId?: number; customerName?: string; item?: AvitoItem | null }): string;
  /** Registers voice bytes (audio/mp4, opus) under a voice_id usable in customerMessage and getVoiceFiles. */
  addVoice(data?: Buffer): string;
  customerMessage(
    chatId: string,
    content: CustomerContent,
    opts?: { deliver?: boolean; fromPhone?: boolean },
  ): Promise<Record<string, unknown>>;
  /** The customer (or the owner on the phone) deletes a message: it turns into `deleted` and a webhook says so. */
  deleteMessage(chatId: string, messageId: string, opts?: { deliver?: boolean }): Promise<Record<string, unknown>>;
  deliver(body: Record<string, unknown>, url?: string): Promise<{ status: number; statuses: number[] }>;
  /** The fake's copy of a chat's messages, oldest first. */
  messages(chatId: string): Array<Record<string, unknown>>;
  reset(): void;
  /** Every API call waits this long before it is performed (0 = none). */
  latency(ms: number): void;
  /** Calls being performed now, and the most ever at once, per operation name (send, sendImage, chats, …) and '*'. */
  readonly inFlight: Record<string, number>;
  readonly maxInFlight: Record<string, number>;
}

export interface FakeAvito {
  url: string;
  addAccount(opts?: { clientId?: string; clientSecret?: string; userId?: number; name?: string; tokenTtlSeconds?: number }): FakeAvitoAccount;
  account(userId: number): FakeAvitoAccount | undefined;
  readonly accounts: FakeAvitoAccount[];
  /** Stops listening (clients get ECONNREFUSED) until called with false; see FakeServer.setOffline. */
  setOffline(offline: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface StartFakeAvitoOptions {
  port?: number;
  host?: string;
  /** Avito expects the webhook's 200 within 2 s; a loaded test machine gets more by default. */
  webhookTimeoutMs?: number;
  /** X-RateLimit-Limit per minute (not enforced: a 429 comes only from a rate-limit fault). */
  rateLimitPerMinute?: number;
  /** How long getVoiceFiles links work (Avito: one hour). */
  voiceUrlTtlSeconds?: number;
  /** Called for every API request that could be tied to an account (the `pnpm fake:avito` log). */
  onCall?: (account: FakeAvitoAccount, call: AvitoCall) => void;
}

const MAX_TEXT = 1000;
const MAX_IMAGE_BYTES = 24 * 1024 * 1024;
const DELETE_WINDOW_MS = 3600_000;

/** A 1×1 PNG, so image URLs the fake serves are real images. */
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

class AvitoError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { error: { code: this.status, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

const SPEC_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment required',
  403: 'Forbidden',
  404: 'Not found',
  429: 'Too Many Requests',
  500: 'Error while processing request. Please, contact support',
  503: 'Service temporarily unavailable. Please, contact support',
};

const validation = (fields: Record<string, string>) => new AvitoError(400, 'Validation error', fields);
const notFound = () => new AvitoError(404, SPEC_MESSAGES[404]);

/** Named fault targets, so a caller need not spell the paths; anything else is a path glob (`*` = one segment). */
const FAULT_ALIASES: Record<string, string> = {
  token: '/token',
  self: '/core/v1/accounts/self',
  chats: '/messenger/v2/accounts/*/chats',
  chat: '/messenger/v2/accounts/*/chats/*',
  messages: '/messenger/v3/accounts/*/chats/*/messages',
  send: '/messenger/v1/accounts/*/chats/*/messages',
  sendImage: '/messenger/v1/accounts/*/chats/*/messages/image',
  delete: '/messenger/v1/accounts/*/chats/*/messages/*',
  read: '/messenger/v1/accounts/*/chats/*/read',
  upload: '/messenger/v1/accounts/*/uploadImages',
  voice: '/messenger/v1/accounts/*/getVoiceFiles',
  subscribe: '/messenger/v3/webhook',
  unsubscribe: '/messenger/v1/webhook/unsubscribe',
  subscriptions: '/messenger/v1/subscriptions',
};

/** The fault name of a request path (send, chats, …), or the path itself; in-flight counts are kept per name. */
function operationOf(path: string): string {
  return Object.keys(FAULT_ALIASES).find((name) => globMatches(name, path)) ?? path;
}

function faultMatches(key: string, path: string): boolean {
  if (key === '*') return true;
  if (key in FAULT_ALIASES) return operationOf(path) === key;
  return globMatches(key, path);
}

function globMatches(pattern: string, path: string): boolean {
  const glob = FAULT_ALIASES[pattern] ?? pattern;
  const regex = new RegExp(
    `^${glob
      .replace(/\/+$/, '')
      .split('**')
      .map((part) => part.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*')}/?$`,
  );
  return regex.test(path);
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

interface StoredMessage {
  id: string;
  author_id: number;
  created: number;
  createdMs: number;
  type: string;
  content: Record<string, unknown>;
  is_read: boolean;
  read: number | null;
}

interface ChatState {
  id: string;
  customerId: number;
  customerName: string;
  item: AvitoItem | null;
  created: number;
  messages: StoredMessage[];
}

interface TokenState {
  account: Account;
  expiresAt: number;
  revoked?: 401 | 403;
}

class Account implements FakeAvitoAccount {
  calls: AvitoCall[] = [];
  sent: AvitoSent[] = [];
  deletedMessages: FakeAvitoAccount['deletedMessages'] = [];
  reads: FakeAvitoAccount['reads'] = [];
  deliveries: FakeAvitoAccount['deliveries'] = [];
  tokensIssued = 0;
  webhooks: string[] = [];
  echoesOn = false;
  remainingOverride: number | null = null;
  readonly recent: number[] = [];
  readonly faults = new FaultTable<AvitoFault>();
  readonly chats = new Map<string, ChatState>();
  readonly images = new Map<string, { data: Buffer; contentType: string }>();
  readonly voices = new Map<string, Buffer>();
  readonly blacklist: Array<Record<string, unknown>> = [];
  latencyMs = 0;
  readonly inFlight: Record<string, number> = {};
  readonly maxInFlight: Record<string, number> = {};

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    readonly userId: number,
    readonly name: string,
    readonly tokenTtlSeconds: number,
    readonly hub: Hub,
  ) {}

  expireTokens(status: 401 | 403 = 401): void {
    for (const token of this.hub.tokens.values()) if (token.account === this) token.revoked = status;
  }

  fault(pathPattern: string, fault: AvitoFault | null, times?: number): void {
    this.faults.set(pathPattern, fault, times);
  }

  rateLimitRemaining(n: number | null): void {
    this.remainingOverride = n;
  }

  echoes(on: boolean): void {
    this.echoesOn = on;
  }

  reset(): void {
    this.calls = [];
    this.sent = [];
    this.deletedMessages = [];
    this.reads = [];
    this.deliveries = [];
    this.faults.clear();
    this.remainingOverride = null;
    this.latencyMs = 0;
    for (const key of Object.keys(this.maxInFlight)) delete this.maxInFlight[key];
  }

  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  enter(key: string): void {
    for (const name of [key, '*']) {
      this.inFlight[name] = (this.inFlight[name] ?? 0) + 1;
      this.maxInFlight[name] = Math.max(this.maxInFlight[name] ?? 0, this.inFlight[name]);
    }
  }

  leave(key: string): void {
    for (const name of [key, '*']) this.inFlight[name] = Math.max(0, (this.inFlight[name] ?? 1) - 1);
  }

  addChat(opts: { chatId?: string; customerId?: number; customerName?: string; item?: AvitoItem | null } = {}): string {
    const customerId = opts.customerId ?? 200_000_000 + Math.floor(Math.random() * 700_000_000);
    const item =
      opts.item === undefined
        ? {
            id: 3_000_000_000 + Math.floor(Math.random() * 999_999_999),
            title: 'iPhone 13, 128 ГБ',
            price: '55 000 ₽',
            url: 'https://www.avito.ru/moskva/telefony/iphone_13_128_gb_3456789012',
          }
        : opts.item;
    const id = opts.chatId ?? `${item ? 'u2i' : 'u2u'}-${randomBytes(16).toString('base64url').replace(/[-_]/g, '~')}`;
    if (this.chats.has(id)) throw new Error(`chat ${id} exists already`);
    this.chats.set(id, {
      id,
      customerId,
      customerName: opts.customerName ?? 'Мария',
      item,
      created: Math.floor(Date.now() / 1000),
      messages: [],
    });
    return id;
  }

  addVoice(data?: Buffer): string {
    const id = hex(16);
    this.voices.set(id, data ?? randomBytes(4096));
    return id;
  }

  chat(chatId: string): ChatState {
    const chat = this.chats.get(chatId);
    if (!chat) throw new Error(`no chat ${chatId} on account ${this.userId}`);
    return chat;
  }

  storeMessage(chat: ChatState, authorId: number, type: string, content: Record<string, unknown>): StoredMessage {
    const now = Date.now();
    const message: StoredMessage = {
      id: hex(16),
      author_id: authorId,
      created: Math.floor(now / 1000),
      createdMs: now,
      type,
      content,
      is_read: authorId === this.userId,
      read: null,
    };
    chat.messages.push(message);
    return message;
  }

  webhookBody(chat: ChatState, message: StoredMessage): Record<string, unknown> {
    return {
      id: randomUUID(),
      version: this.hub.nextVersion(),
      timestamp: Math.floor(Date.now() / 1000),
      payload: {
        type: 'message',
        value: {
          id: message.id,
          chat_id: chat.id,
          user_id: this.userId,
          author_id: message.author_id,
          created: message.created,
          type: message.type,
          chat_type: chat.item ? 'u2i' : 'u2u',
          content: message.content,
          item_id: chat.item?.id ?? null,
          published_at: new Date(message.createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          read: message.read,
        },
      },
    };
  }

  async customerMessage(chatId: string, input: CustomerContent, opts: { deliver?: boolean; fromPhone?: boolean } = {}): Promise<Record<string, unknown>> {
    const chat = this.chat(chatId);
    const type =
      input.type ??
      (input.imageUrl || input.imageData ? 'image' : input.voiceId ? 'voice' : input.link ? 'link' : input.location ? 'location' : input.item ? 'item' : 'text');
    const content = this.content(chat, type, input);
    const author = type === 'system' ? 0 : opts.fromPhone ? this.userId : chat.customerId;
    const message = this.storeMessage(chat, author, type, content);
    const body = this.webhookBody(chat, message);
    if (opts.deliver !== false) await this.deliver(body);
    return body;
  }

  async deleteMessage(chatId: string, messageId: string, opts: { deliver?: boolean } = {}): Promise<Record<string, unknown>> {
    const chat = this.chat(chatId);
    const message = chat.messages.find((candidate) => candidate.id === messageId);
    if (!message) throw new Error(`no message ${messageId} in chat ${chatId}`);
    message.type = 'deleted';
    message.content = {};
    const body = this.webhookBody(chat, message);
    if (opts.deliver !== false) await this.deliver(body);
    return body;
  }

  private content(chat: ChatState, type: string, input: CustomerContent): Record<string, unknown> {
    switch (type) {
      case 'text':
        return { text: input.text ?? 'Здравствуйте! Ещё продаёте?' };
      case 'image': {
        if (input.imageUrl) return { image: { sizes: { '1280x960': input.imageUrl, '640x480': input.imageUrl, '140x105': input.imageUrl, '32x32': input.imageUrl } } };
        const imageId = `${Math.floor(Math.random() * 1e10)}.${hex(16)}`;
        this.images.set(imageId, { data: input.imageData ?? PIXEL_PNG, contentType: 'image/png' });
        return { image: { sizes: this.hub.imageSizes(imageId) } };
      }
      case 'voice': {
        const voiceId = input.voiceId ?? this.addVoice();
        if (!this.voices.has(voiceId)) this.voices.set(voiceId, randomBytes(4096));
        return { voice: { voice_id: voiceId } };
      }
      case 'link': {
        const url = input.link ?? 'https://habr.com/ru/';
        const domain = /^(?:https?:\/\/)?([^/]+)/.exec(url)?.[1] ?? url;
        return { link: { text: input.text ?? url, url, preview: { domain, title: domain, description: '', url, images: null } } };
      }
      case 'item': {
        const item = input.item ?? (chat.item ? { title: chat.item.title, price: chat.item.price, url: chat.item.url, imageUrl: chat.item.imageUrl } : undefined);
        if (!item) return { item: { title: 'Объявление', item_url: 'https://www.avito.ru/item', image_url: `${this.hub.url}/_fake/items/0.png`, price_string: null } };
        return { item: { title: item.title, item_url: item.url, image_url: item.imageUrl ?? `${this.hub.url}/_fake/items/0.png`, price_string: item.price ?? null } };
      }
      case 'location': {
        const location = input.location ?? { lat: 55.599799, lon: 37.603954, title: 'Москва, Варшавское шоссе' };
        return { location: { kind: 'street', lat: location.lat, lon: location.lon, text: location.title ?? '', title: location.title ?? '' } };
      }
      case 'system':
        return { text: input.text ?? 'Покупатель хочет узнать подробности', flow_id: 'seller_audience_discount' };
      case 'call':
        return { call: { status: 'missed', target_user_id: this.userId } };
      default:
        // appCall, file and video arrive with an empty content: Avito does not expose them to the API.
        return {};
    }
  }

  async deliver(body: Record<string, unknown>, url?: string): Promise<{ status: number; statuses: number[] }> {
    const targets = url ? [url] : [...this.webhooks];
    const raw = JSON.stringify(body);
    const signature = createHmac('sha256', this.clientSecret).update(raw).digest('hex');
    const statuses = await Promise.all(
      targets.map(async (target) => {
        const started = Date.now();
        const result = await postJson(target, body, { 'x-avito-messenger-signature': signature }, this.hub.webhookTimeoutMs);
        this.deliveries.push({ url: target, status: result.status, ms: Date.now() - started, body, at: Date.now() });
        return result.status;
      }),
    );
    const failed = statuses.find((status) => status < 200 || status > 299);
    return { status: failed ?? statuses[statuses.length - 1] ?? 0, statuses };
  }

  messages(chatId: string): Array<Record<string, unknown>> {
    return this.chat(chatId).messages.map((message) => this.messageView(message));
  }

  messageView(message: StoredMessage): Record<string, unknown> {
    return {
      id: message.id,
      author_id: message.author_id,
      content: message.content,
      created: message.created,
      direction: message.author_id === this.userId ? 'out' : 'in',
      is_read: message.is_read,
      read: message.read,
      type: message.type,
    };
  }

  chatView(chat: ChatState): Record<string, unknown> {
    const last = chat.messages[chat.messages.length - 1];
    const profile = (userId: number, name: string) => ({
      id: userId,
      name,
      public_user_profile: {
        user_id: userId,
        item_id: chat.item?.id ?? 0,
        url: `https://www.avito.ru/user/${createHmac('md5', 'fake').update(String(userId)).digest('hex')}/profile`,
        avatar: {
          default: `${this.hub.url}/_fake/avatars/${userId}.png`,
          images: Object.fromEntries(
            ['128x128', '192x192', '24x24', '256x256', '36x36', '48x48', '64x64', '72x72', '96x96'].map((size) => [size, `${this.hub.url}/_fake/avatars/${userId}.png?size=${size}`]),
          ),
        },
      },
    });
    return {
      id: chat.id,
      ...(chat.item
        ? {
            context: {
              type: 'item',
              value: {
                id: chat.item.id,
                title: chat.item.title,
                price_string: chat.item.price,
                url: chat.item.url,
                status_id: 10,
                user_id: this.userId,
                images: { count: 1, main: { '140x105': chat.item.imageUrl ?? `${this.hub.url}/_fake/items/${chat.item.id}.png` } },
              },
            },
          }
        : {}),
      created: chat.created,
      updated: last?.created ?? chat.created,
      users: [profile(this.userId, this.name), profile(chat.customerId, chat.customerName)],
      ...(last
        ? {
            last_message: {
              id: last.id,
              author_id: last.author_id,
              content: last.content,
              created: last.created,
              direction: last.author_id === this.userId ? 'out' : 'in',
              type: last.type,
            },
          }
        : {}),
    };
  }

  rateHeaders(): Record<string, string> {
    const now = Date.now();
    while (this.recent.length > 0 && this.recent[0] < now - 60_000) this.recent.shift();
    const limit = this.hub.rateLimitPerMinute;
    const remaining = this.remainingOverride ?? Math.max(0, limit - this.recent.length);
    return { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining) };
  }

  summary(): Record<string, unknown> {
    return { clientId: this.clientId, clientSecret: this.clientSecret, userId: this.userId, name: this.name, chats: [...this.chats.keys()] };
  }

  state(): Record<string, unknown> {
    return {
      ...this.summary(),
      calls: this.calls,
      sent: this.sent,
      deletedMessages: this.deletedMessages,
      reads: this.reads,
      deliveries: this.deliveries,
      tokensIssued: this.tokensIssued,
      webhooks: this.webhooks,
      echoes: this.echoesOn,
      faults: this.faults.list(),
      latencyMs: this.latencyMs,
      maxInFlight: this.maxInFlight,
    };
  }
}

interface Hub {
  url: string;
  tokens: Map<string, TokenState>;
  webhookTimeoutMs: number;
  rateLimitPerMinute: number;
  nextVersion(): string;
  imageSizes(imageId: string): Record<string, string>;
  voiceUrl(voiceId: string): string;
}

interface Ctx {
  account: Account;
  path: string;
  query: URLSearchParams;
  fields: Record<string, unknown>;
  files: UploadedPart[];
  params: Record<string, string>;
}

type Route = { method: string; pattern: string; handle: (ctx: Ctx) => { status?: number; body: unknown } };

function int(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw validation({ [name]: `must be an integer from ${min} to ${max}` });
  return value;
}

function list(query: URLSearchParams, name: string): string[] {
  return [...query.getAll(name), ...query.getAll(`${name}[]`)].flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
}

function isImage(data: Buffer): boolean {
  const head = data.subarray(0, 12);
  return (
    (head[0] === 0xff && head[1] === 0xd8) || // JPEG
    head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) || // PNG
    head.subarray(0, 3).toString('latin1') === 'GIF' ||
    head.subarray(0, 2).toString('latin1') === 'BM' ||
    head.subarray(4, 8).toString('latin1') === 'ftyp' || // HEIC
    (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP')
  );
}

function chatOf(ctx: Ctx): ChatState {
  const chat = ctx.account.chats.get(ctx.params.chatId);
  if (!chat) throw notFound();
  return chat;
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: '/core/v1/accounts/self',
    handle: ({ account }) => ({
      body: {
        id: account.userId,
        name: account.name,
        email: `seller${account.userId}@example.com`,
        phone: '79990001122',
        phones: ['79990001122'],
        profile_url: `https://www.avito.ru/user/${createHmac('md5', 'fake').update(String(account.userId)).digest('hex')}/profile`,
      },
    }),
  },
  {
    method: 'GET',
    pattern: '/messenger/v2/accounts/:userId/chats',
    handle: (ctx) => {
      const limit = int(ctx.query, 'limit', 100, 1, 100);
      const offset = int(ctx.query, 'offset', 0, 0, 1000);
      const unreadOnly = ctx.query.get('unread_only') === 'true';
      const types = list(ctx.query, 'chat_types');
      const chatTypes = types.length > 0 ? types : ['u2i'];
      const itemIds = list(ctx.query, 'item_ids').map(Number);
      const chats = [...ctx.account.chats.values()]
        .filter((chat) => chatTypes.includes(chat.item ? 'u2i' : 'u2u'))
        .filter((chat) => itemIds.length === 0 || (chat.item !== null && itemIds.includes(chat.item.id)))
        .filter((chat) => !unreadOnly || chat.messages.some((message) => !message.is_read))
        .sort((a, b) => lastActivity(b) - lastActivity(a));
      return { body: { chats: chats.slice(offset, offset + limit).map((chat) => ctx.account.chatView(chat)) } };
    },
  },
  {
    method: 'GET',
    pattern: '/messenger/v2/accounts/:userId/chats/:chatId',
    handle: (ctx) => ({ body: ctx.account.chatView(chatOf(ctx)) }),
  },
  {
    method: 'GET',
    pattern: '/messenger/v3/accounts/:userId/chats/:chatId/messages',
    handle: (ctx) => {
      const limit = int(ctx.query, 'limit', 100, 1, 100);
      const offset = int(ctx.query, 'offset', 0, 0, 1000);
      const newestFirst = [...chatOf(ctx).messages].reverse();
      return { body: newestFirst.slice(offset, offset + limit).map((message) => ctx.account.messageView(message)) };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v1/accounts/:userId/chats/:chatId/messages',
    handle: (ctx) => {
      const chat = chatOf(ctx);
      const message = ctx.fields.message as { text?: unknown } | undefined;
      if (ctx.fields.type !== undefined && ctx.fields.type !== 'text') throw validation({ type: 'must be one of [text]' });
      if (!message || typeof message !== 'object' || typeof message.text !== 'string' || message.text.trim() === '') {
        throw validation({ 'message.text': 'must not be empty' });
      }
      if ([...message.text].length > MAX_TEXT) throw validation({ 'message.text': `must be at most ${MAX_TEXT} characters` });
      const stored = ctx.account.storeMessage(chat, ctx.account.userId, 'text', { text: message.text });
      ctx.account.sent.push({ chatId: chat.id, messageId: stored.id, type: 'text', text: message.text, at: Date.now() });
      echo(ctx.account, chat, stored);
      return { body: { id: stored.id, content: { text: message.text }, created: stored.created, direction: 'out', type: 'text' } };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v1/accounts/:userId/chats/:chatId/messages/image',
    handle: (ctx) => {
      const chat = chatOf(ctx);
      const imageId = ctx.fields.image_id;
      if (typeof imageId !== 'string' || imageId === '') throw validation({ image_id: 'required' });
      if (!ctx.account.images.has(imageId)) throw new AvitoError(400, 'image not found', { image_id: 'unknown image' });
      const sizes = ctx.account.hub.imageSizes(imageId);
      const stored = ctx.account.storeMessage(chat, ctx.account.userId, 'image', { image: { sizes } });
      ctx.account.sent.push({ chatId: chat.id, messageId: stored.id, type: 'image', imageId, at: Date.now() });
      echo(ctx.account, chat, stored);
      return { body: { author_id: ctx.account.userId, content: { image: { sizes } }, created: stored.created, direction: 'out', id: stored.id, type: 'image' } };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v1/accounts/:userId/chats/:chatId/messages/:messageId',
    handle: (ctx) => {
      const chat = chatOf(ctx);
      const message = chat.messages.find((candidate) => candidate.id === ctx.params.messageId);
      if (!message || message.type === 'deleted') throw notFound();
      if (message.author_id !== ctx.account.userId) throw new AvitoError(403, 'only own messages can be deleted');
      if (Date.now() - message.createdMs > DELETE_WINDOW_MS) throw new AvitoError(400, 'message can be deleted within an hour after sending');
      message.type = 'deleted';
      message.content = {};
      ctx.account.deletedMessages.push({ chatId: chat.id, messageId: message.id, at: Date.now() });
      return { body: {} };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v1/accounts/:userId/chats/:chatId/read',
    handle: (ctx) => {
      const chat = chatOf(ctx);
      for (const message of chat.messages) message.is_read = true;
      ctx.account.reads.push({ chatId: chat.id, at: Date.now() });
      return { body: { ok: true } };
    },
  },
  {
    method: 'GET',
    pattern: '/messenger/v1/accounts/:userId/getVoiceFiles',
    handle: (ctx) => {
      const ids = list(ctx.query, 'voice_ids');
      if (ids.length === 0) throw validation({ voice_ids: 'required' });
      const { account } = ctx;
      return { body: { voices_urls: Object.fromEntries(ids.filter((id) => account.voices.has(id)).map((id) => [id, account.hub.voiceUrl(id)])) } };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v1/accounts/:userId/uploadImages',
    handle: (ctx) => {
      const part = ctx.files.find((file) => file.field === 'uploadfile[]' || file.field === 'uploadfile');
      if (!part) throw validation({ 'uploadfile[]': 'required' });
      if (part.data.length > MAX_IMAGE_BYTES) throw validation({ 'uploadfile[]': 'file is larger than 24 MB' });
      if (!isImage(part.data) && !part.contentType.startsWith('image/')) throw validation({ 'uploadfile[]': 'unsupported image format' });
      const imageId = `${Math.floor(Math.random() * 1e10)}.${hex(16)}`;
      ctx.account.images.set(imageId, { data: part.data, contentType: part.contentType.startsWith('image/') ? part.contentType : 'image/jpeg' });
      const sizes = ctx.account.hub.imageSizes(imageId);
      return { body: { [imageId]: sizes } };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v3/webhook',
    handle: (ctx) => {
      const url = ctx.fields.url;
      if (typeof url !== 'string' || !/^https?:\/\/.+/.test(url)) throw validation({ url: 'must be a valid URL' });
      if (!ctx.account.webhooks.includes(url)) ctx.account.webhooks.push(url);
      return { body: { ok: true } };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v1/webhook/unsubscribe',
    handle: (ctx) => {
      const url = ctx.fields.url;
      if (typeof url !== 'string' || url === '') throw validation({ url: 'required' });
      ctx.account.webhooks = ctx.account.webhooks.filter((candidate) => candidate !== url);
      return { body: { ok: true } };
    },
  },
  {
    method: 'POST',
    pattern: '/messenger/v1/subscriptions',
    handle: (ctx) => ({ body: { subscriptions: ctx.account.webhooks.map((url) => ({ url, version: '3' })) } }),
  },
  {
    method: 'POST',
    pattern: '/messenger/v2/accounts/:userId/blacklist',
    handle: (ctx) => {
      const users = ctx.fields.users;
      if (!Array.isArray(users)) throw validation({ users: 'required' });
      ctx.account.blacklist.push(...(users as Array<Record<string, unknown>>));
      return { body: {} };
    },
  },
];

function lastActivity(chat: ChatState): number {
  return chat.messages[chat.messages.length - 1]?.createdMs ?? chat.created * 1000;
}

/** The live API delivers our own sends back through the webhook (author_id == user_id), after the answer. */
function echo(account: Account, chat: ChatState, message: StoredMessage): void {
  if (!account.echoesOn || account.webhooks.length === 0) return;
  const body = account.webhookBody(chat, message);
  setTimeout(() => void account.deliver(body), 5);
}

export async function startFakeAvito(options: StartFakeAvitoOptions = {}): Promise<FakeAvito> {
  const accounts = new Map<number, Account>();
  let versionCounter = 0;
  const hub: Hub = {
    url: '',
    tokens: new Map(),
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 1000,
    nextVersion: () => (versionCounter++ % 2 === 0 ? 'v3.0.0' : 'v1.1'),
    imageSizes: (imageId) =>
      Object.fromEntries(['1280x960', '640x480', '140x105', '32x32'].map((size) => [size, `${hub.url}/_fake/images/${encodeURIComponent(imageId)}/${size}`])),
    voiceUrl: (voiceId) => `${hub.url}/_fake/voice/${voiceId}.mp4?expires=${Date.now() + (options.voiceUrlTtlSeconds ?? 3600) * 1000}`,
  };

  function addAccount(opts: { clientId?: string; clientSecret?: string; userId?: number; name?: string; tokenTtlSeconds?: number } = {}): FakeAvitoAccount {
    const userId = opts.userId ?? 100_000_000 + Math.floor(Math.random() * 899_999_999);
    if (accounts.has(userId)) throw new Error(`account ${userId} exists already`);
    const account = new Account(
      opts.clientId ?? randomBytes(15).toString('base64url'),
      opts.clientSecret ?? randomBytes(30).toString('base64url'),
      userId,
      opts.name ?? 'ООО «Ромашка»',
      opts.tokenTtlSeconds ?? 86_400,
      hub,
    );
    accounts.set(userId, account);
    return account;
  }

  const findImage = (imageId: string) => [...accounts.values()].map((account) => account.images.get(imageId)).find(Boolean);

  async function handleToken(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    let fields: Record<string, unknown>;
    try {
      fields = parseBody(raw, req.headers['content-type']).fields;
    } catch {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'malformed body' });
    }
    const account = [...accounts.values()].find((candidate) => candidate.clientId === fields.client_id);
    const fault = account?.faults.take((key) => faultMatches(key, '/token')) ?? null;
    if (fault?.kind === 'refuse-connection') return refuse(req);
    if (account) {
      const call: AvitoCall = { method: 'POST', path: '/token', query: {}, body: { ...fields, client_secret: '***' }, at: Date.now() };
      account.calls.push(call);
      options.onCall?.(account, call);
      account.recent.push(Date.now());
      if (fault && (await applyFault(fault, req, res, account))) return;
    }
    const reply = (status: number, body: unknown) => {
      if (fault?.kind === 'hang-after-accept') return hang(res, fault.ms);
      sendJson(res, status, body, account ? account.rateHeaders() : {});
    };
    if (fields.grant_type !== 'client_credentials') {
      return reply(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    if (typeof fields.client_id !== 'string' || fields.client_id === '' || !account) {
      return reply(400, { error: 'invalid_client', error_description: 'client not found' });
    }
    if (fields.client_secret !== account.clientSecret) return reply(400, { error: 'invalid_client', error_description: 'invalid client secret' });
    const token = randomBytes(16).toString('base64url');
    hub.tokens.set(token, { account, expiresAt: Date.now() + account.tokenTtlSeconds * 1000 });
    account.tokensIssued += 1;
    reply(200, { access_token: token, expires_in: account.tokenTtlSeconds, token_type: 'Bearer' });
  }


  /** Answers per the fault; returns false for hang-after-accept, which lets the request run and then withholds the answer. */
  async function applyFault(fault: AvitoFault, req: IncomingMessage, res: ServerResponse, account: Account): Promise<boolean> {
    switch (fault.kind) {
      case 'refuse-connection':
        refuse(req);
        return true;
      case 'rate-limit':
        sendJson(res, 429, { error: { code: 429, message: SPEC_MESSAGES[429] } }, { ...account.rateHeaders(), 'x-ratelimit-remaining': '0', 'retry-after': String(fault.retryAfter) });
        return true;
      case 'server-error': {
        const status = fault.status ?? 500;
        sendJson(res, status, { error: { code: status, message: SPEC_MESSAGES[status] ?? SPEC_MESSAGES[500] } });
        return true;
      }
      case 'error':
        sendJson(res, fault.status, { error: { code: fault.status, message: fault.message } }, account.rateHeaders());
        return true;
      case 'hang-after-accept':
        return false;
      default:
        return false;
    }
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method === 'POST' && path === '/token') {
      let raw: Buffer;
      try {
        raw = await readBody(req, 1024 * 1024);
      } catch {
        return sendJson(res, 413, { error: 'invalid_request' });
      }
      return handleToken(req, res, raw);
    }
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    const token = bearer ? hub.tokens.get(bearer) : undefined;
    const account = token?.account;
    const fault = account?.faults.take((key) => faultMatches(key, path)) ?? null;
    if (fault?.kind === 'refuse-connection') return refuse(req);

    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_IMAGE_BYTES + 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: { code: 413, message: 'Request Entity Too Large' } });
      throw error;
    }
    let parsed: ReturnType<typeof parseBody>;
    try {
      parsed = parseBody(raw, req.headers['content-type']);
    } catch {
      return sendJson(res, 400, { error: { code: 400, message: SPEC_MESSAGES[400] } });
    }
    if (account) {
      const call: AvitoCall = {
        method: req.method ?? 'GET',
        path,
        query: Object.fromEntries(url.searchParams),
        body:
          parsed.kind === 'multipart'
            ? { ...parsed.fields, files: parsed.files.map((file) => ({ field: file.field, name: file.fileName, size: file.data.length, contentType: file.contentType })) }
            : parsed.fields,
        token: bearer,
        at: Date.now(),
      };
      account.calls.push(call);
      options.onCall?.(account, call);
      account.recent.push(Date.now());
    }
    if (fault && (await applyFault(fault, req, res, account as Account))) return;

    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (fault?.kind === 'hang-after-accept') return hang(res, fault.ms);
      sendJson(res, status, body, { ...(account ? account.rateHeaders() : {}), ...headers });
    };

    if (!bearer || !token) return reply(401, { error: { code: 401, message: SPEC_MESSAGES[401] } });
    if (token.revoked) return reply(token.revoked, { error: { code: token.revoked, message: SPEC_MESSAGES[token.revoked] } });
    if (Date.now() > token.expiresAt) return reply(401, { error: { code: 401, message: SPEC_MESSAGES[401] } });

    for (const candidate of ROUTES) {
      if (candidate.method !== req.method) continue;
      const params = route(candidate.pattern, path);
      if (!params) continue;
      if (params.userId !== undefined && params.userId !== String(token.account.userId)) {
        return reply(403, { error: { code: 403, message: SPEC_MESSAGES[403] } });
      }
      const key = operationOf(path);
      token.account.enter(key);
      try {
        if (token.account.latencyMs > 0) await sleep(token.account.latencyMs);
        const result = candidate.handle({ account: token.account, path, query: url.searchParams, fields: parsed.fields, files: parsed.files, params });
        return reply(result.status ?? 200, result.body);
      } catch (error) {
        if (error instanceof AvitoError) return reply(error.status, error.body(), error.headers);
        throw error;
      } finally {
        token.account.leave(key);
      }
    }
    return reply(404, { error: { code: 404, message: SPEC_MESSAGES[404] } });
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) {
    if (req.method === 'GET') {
      let media: Record<string, string> | null;
      if ((media = route('/_fake/images/:imageId/:size', path))) {
        const image = findImage(media.imageId);
        return image ? sendBytes(res, 200, image.data, image.contentType) : sendJson(res, 404, { error: 'no such image' });
      }
      if ((media = route('/_fake/voice/:file', path))) {
        const id = media.file.replace(/\.mp4$/, '');
        const voice = [...accounts.values()].map((account) => account.voices.get(id)).find(Boolean);
        if (!voice) return sendJson(res, 404, { error: 'no such voice' });
        if (Number(query.get('expires') ?? 0) < Date.now()) return sendJson(res, 403, { error: 'link expired' });
        return sendBytes(res, 200, voice, 'audio/mp4');
      }
      if (route('/_fake/items/:file', path) || route('/_fake/avatars/:file', path)) return sendBytes(res, 200, PIXEL_PNG, 'image/png');
    }
    const raw = await readBody(req);
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    const need = (userId: string): Account => {
      const account = accounts.get(Number(userId));
      if (!account) throw new ControlError(404, `no account ${userId}`);
      return account;
    };
    let params: Record<string, string> | null;
    if (req.method === 'GET' && path === '/_fake') return sendJson(res, 200, { accounts: [...accounts.values()].map((account) => account.summary()) });
    if (req.method === 'GET' && path === '/_fake/accounts') return sendJson(res, 200, [...accounts.values()].map((account) => account.summary()));
    if (req.method === 'POST' && path === '/_fake/offline') return offlineFor(server, res, body.ms);
    if (req.method === 'POST' && path === '/_fake/accounts') {
      const account = addAccount(body as Parameters<typeof addAccount>[0]) as Account;
      return sendJson(res, 201, account.summary());
    }
    if (req.method === 'GET' && (params = route('/_fake/accounts/:userId', path))) return sendJson(res, 200, need(params.userId).state());
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/expire-tokens', path))) {
      need(params.userId).expireTokens((body.status as 401 | 403 | undefined) ?? 401);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/fault', path))) {
      const account = need(params.userId);
      account.fault(typeof body.path === 'string' ? body.path : '*', (body.fault as AvitoFault | null) ?? null, typeof body.times === 'number' ? body.times : undefined);
      return sendJson(res, 200, { faults: account.faults.list() });
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/rate-limit-remaining', path))) {
      need(params.userId).rateLimitRemaining(typeof body.value === 'number' ? body.value : null);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/latency', path))) {
      need(params.userId).latency(typeof body.ms === 'number' ? body.ms : 0);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/echoes', path))) {
      need(params.userId).echoes(body.on !== false);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/chats', path))) {
      const chatId = need(params.userId).addChat(body as Parameters<FakeAvitoAccount['addChat']>[0]);
      return sendJson(res, 201, { chatId });
    }
    if (req.method === 'GET' && (params = route('/_fake/accounts/:userId/chats/:chatId', path))) {
      const account = need(params.userId);
      const chat = account.chats.get(params.chatId);
      if (!chat) throw new ControlError(404, `no chat ${params.chatId}`);
      return sendJson(res, 200, { ...account.chatView(chat), messages: account.messages(chat.id) });
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/chats/:chatId/messages', path))) {
      const { deliver, fromPhone, imageBase64, ...content } = body;
      const webhook = await need(params.userId).customerMessage(
        params.chatId,
        { ...(content as CustomerContent), ...(typeof imageBase64 === 'string' ? { imageData: Buffer.from(imageBase64, 'base64') } : {}) },
        { deliver: deliver !== false, fromPhone: fromPhone === true },
      );
      return sendJson(res, 201, webhook);
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/chats/:chatId/messages/:messageId/delete', path))) {
      const webhook = await need(params.userId).deleteMessage(params.chatId, params.messageId, { deliver: body.deliver !== false });
      return sendJson(res, 200, webhook);
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/deliver', path))) {
      const result = await need(params.userId).deliver(body.body as Record<string, unknown>, typeof body.url === 'string' ? body.url : undefined);
      return sendJson(res, 200, result);
    }
    if (req.method === 'POST' && (params = route('/_fake/accounts/:userId/reset', path))) {
      need(params.userId).reset();
      return sendJson(res, 200, { ok: true });
    }
    throw new ControlError(404, `no control route ${req.method} ${path}`);
  }

  const server = await listen(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname === '/_fake' || url.pathname.startsWith('/_fake/')) {
        try {
          await handleControl(req, res, url.pathname, url.searchParams);
        } catch (error) {
          sendJson(res, error instanceof ControlError ? error.status : 400, { error: (error as Error).message });
        }
        return;
      }
      await handleApi(req, res, url);
    },
    { port: options.port, host: options.host },
  );
  hub.url = server.url;

  return {
    url: server.url,
    addAccount,
    account: (userId) => accounts.get(userId),
    get accounts() {
      return [...accounts.values()];
    },
    setOffline: (offline) => server.setOffline(offline),
    close: () => server.close(),
  };
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

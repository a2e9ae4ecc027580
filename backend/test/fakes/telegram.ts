import { randomBytes } from 'node:crypto';
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
 * A fake Telegram Bot API server speaking the real wire format as grammY's `Api` uses it:
 * `POST {url}/bot<token>/<method>` with a JSON, urlencoded or multipart body (query parameters work too),
 * answers `{ok:true,result}` or `{ok:false,error_code,description,parameters?}`, files at
 * `{url}/file/bot<token>/<file_path>`. Faults reproduce Telegram's own error bodies. A JSON control surface
 * under `/_fake/...` mirrors the methods of FakeTelegram/FakeBot for other processes.
 */

export type TelegramFault =
  | { kind: 'rate-limit'; retryAfter: number }
  | { kind: 'blocked' }
  | { kind: 'deactivated' }
  | { kind: 'chat-not-found' }
  | { kind: 'too-long' }
  | { kind: 'parse-entities' }
  | { kind: 'migrated'; toChatId?: number }
  | { kind: 'server-error'; status?: number }
  | { kind: 'hang-after-accept'; ms?: number }
  | { kind: 'refuse-connection' };

export interface TelegramFileInfo {
  field: string;
  name: string;
  size: number;
  contentType: string;
}

export interface TelegramCall {
  method: string;
  params: Record<string, unknown>;
  files: TelegramFileInfo[];
  at: number;
}

export interface TelegramSent {
  method: string;
  chatId: string;
  messageId: number;
  text?: string;
  caption?: string;
  parseMode?: string;
  replyMarkup?: unknown;
  replyToMessageId?: number;
  /** The file of a sendPhoto/sendDocument/… (an upload, a reused file_id, or a URL). */
  file?: { fileId?: string; url?: string; name?: string; size?: number; contentType?: string };
  at: number;
}

export interface TelegramCustomer {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
  /** Whether getUserProfilePhotos finds a profile photo (default true). */
  hasPhoto?: boolean;
}

export type UpdateKind =
  | 'text'
  | 'photo'
  | 'document'
  | 'voice'
  | 'audio'
  | 'video'
  | 'sticker'
  | 'edited'
  | 'callback'
  /** my_chat_member: the customer blocks (`status: 'kicked'`) or restarts (`'member'`) the bot; also sets blockedBy. */
  | 'member';

export interface UpdateOptions {
  /** The customer (a private chat with them); defaults to one fixed customer per bot. */
  from?: Partial<TelegramCustomer>;
  /** Defaults to the customer's id (private chat). */
  chatId?: number;
  text?: string;
  caption?: string;
  /** File content of photo/document/voice/audio/video/sticker; generated when absent. */
  data?: Buffer;
  /** Reuse a file added with addFile instead of `data`. */
  fileId?: string;
  fileName?: string;
  mimeType?: string;
  duration?: number;
  emoji?: string;
  /** edited: the customer's message to edit; callback: the bot's message carrying the button (default: the last one sent to the chat). */
  messageId?: number;
  /** Makes the message a reply to this message id of the same chat (reply_to_message). */
  replyTo?: number;
  /** callback: the button's callback_data. */
  callbackData?: string;
  /** member: the bot's new status in the private chat. */
  status?: 'kicked' | 'member';
  date?: number;
}

export interface FakeBot {
  token: string;
  id: number;
  username: string;
  firstName: string;
  calls: TelegramCall[];
  sent: TelegramSent[];
  edited: Array<{ method: string; chatId: string; messageId: number; text?: string; caption?: string; replyMarkup?: unknown; at: number }>;
  deleted: Array<{ chatId: string; messageId: number; at: number }>;
  callbackAnswers: Array<{ queryId: string; text?: string; showAlert: boolean; url?: string; at: number }>;
  commands: Record<string, Array<{ command: string; description: string }>>;
  webhook: { url: string; secretToken?: string; allowedUpdates?: string[]; maxConnections?: number } | null;
  fault(method: string | '*', fault: TelegramFault | null, times?: number): void;
  addFile(data: Buffer, opts?: { contentType?: string; fileName?: string }): string;
  nextUpdateId(): number;
  setUpdateId(next: number): void;
  update(kind: UpdateKind, opts?: UpdateOptions): Record<string, unknown>;
  /** POSTs to the webhook with X-Telegram-Bot-Api-Secret-Token (null: no header); status 0 = no HTTP answer; ms = how long it took. */
  deliver(update: Record<string, unknown>, opts?: { secretToken?: string | null }): Promise<{ status: number; body: string; ms: number }>;
  /** The fake's copy of a message in a chat (customer's or bot's), with edits and deletion applied. */
  message(chatId: number | string, messageId: number): Record<string, unknown> | undefined;
  /** Sends to this chat answer 403 "bot was blocked by the user" / "user is deactivated" until set back to null. */
  blockedBy(chatId: number | string, state: 'blocked' | 'deactivated' | null): void;
  /** Clears calls, sent, edits, deletions, answers, faults, limits and latency (the bot, its chats and files stay). */
  reset(): void;
  /** Every API call waits this long before it is performed (0 = none), as a real round trip does. */
  latency(ms: number): void;
  /** Calls being performed now, and the most ever at once, per method name and in total under '*'. */
  readonly inFlight: Record<string, number>;
  readonly maxInFlight: Record<string, number>;
  /**
   * Opt-in flood control like Telegram's: a send faster than the limits gets 429 with retry_after (and is
   * recorded in limitViolations). null switches it off (the default).
   */
  enforceLimits(limits: TelegramLimits | null): void;
  limitViolations: Array<{ method: string; chatId: string; rule: 'per-chat' | 'per-group' | 'per-bot'; retryAfter: number; at: number }>;
}

export interface TelegramLimits {
  /** Least time between two sends to one chat (Bot FAQ: about one a second). */
  perChatIntervalMs?: number;
  /** Sends a minute to one group (Bot FAQ: 20). */
  perGroupPerMinute?: number;
  /** Sends a second per bot (Bot FAQ: about 30). */
  perBotPerSecond?: number;
}

export interface FakeTelegram {
  url: string;
  addBot(opts?: { token?: string; username?: string; firstName?: string }): FakeBot;
  bot(token: string): FakeBot | undefined;
  readonly bots: FakeBot[];
  /** Stops listening (clients get ECONNREFUSED) until called with false; see FakeServer.setOffline. */
  setOffline(offline: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface StartFakeTelegramOptions {
  port?: number;
  host?: string;
  /** How long deliver() waits for the webhook (Telegram itself waits about a minute). */
  webhookTimeoutMs?: number;
  /** Called for every Bot API request that reached a known bot (the `pnpm fake:telegram` log). */
  onCall?: (bot: FakeBot, call: TelegramCall) => void;
}

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

class TelegramError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new TelegramError(400, `Bad Request: ${what}`);

function faultError(fault: TelegramFault): TelegramError | null {
  switch (fault.kind) {
    case 'rate-limit':
      return new TelegramError(
        429,
        `Too Many Requests: retry after ${fault.retryAfter}`,
        { retry_after: fault.retryAfter },
        { 'retry-after': String(fault.retryAfter) },
      );
    case 'blocked':
      return new TelegramError(403, 'Forbidden: bot was blocked by the user');
    case 'deactivated':
      return new TelegramError(403, 'Forbidden: user is deactivated');
    case 'chat-not-found':
      return badRequest('chat not found');
    case 'too-long':
      return badRequest('message is too long');
    case 'parse-entities':
      return badRequest("can't parse entities: Can't find end of the entity starting at byte offset 0");
    case 'migrated':
      return new TelegramError(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: fault.toChatId ?? -1_001_234_567_890,
      });
    case 'server-error': {
      const status = fault.status ?? 500;
      const text: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
      return new TelegramError(status, text[status] ?? 'Internal Server Error');
    }
    default:
      return null;
  }
}

interface StoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  data: Buffer;
  contentType: string;
  fileName?: string;
}

interface ChatState {
  chat: Record<string, unknown>;
  nextMessageId: number;
  messages: Map<number, Record<string, unknown>>;
}

/** A real 4×4 JPEG for profile photos, so whatever stores avatars gets an image. */
const PIXEL_JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAEAAQDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAH/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAABf/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AKATHv/Z',
  'base64',
);

const DEFAULT_CUSTOMER: TelegramCustomer = { id: 5_550_001, firstName: 'Ivan', lastName: 'Petrov', username: 'ivan_petrov', languageCode: 'ru' };

function randomToken(id: number): string {
  return `${id}:AA${randomBytes(26).toString('base64url').slice(0, 33)}`;
}

function fileIdFor(kind: string): string {
  const prefix: Record<string, string> = { photo: 'AgACAgIAAxkBAAI', voice: 'AwACAgIAAxkBAAI', sticker: 'CAACAgIAAxkBAAI', video: 'BAACAgIAAxkBAAI', audio: 'CQACAgIAAxkBAAI' };
  return `${prefix[kind] ?? 'BQACAgIAAxkBAAI'}${randomBytes(40).toString('base64url').slice(0, 55)}`;
}

const FOLDER: Record<string, { dir: string; ext: string }> = {
  photo: { dir: 'photos', ext: 'jpg' },
  document: { dir: 'documents', ext: 'dat' },
  voice: { dir: 'voice', ext: 'oga' },
  audio: { dir: 'music', ext: 'mp3' },
  video: { dir: 'videos', ext: 'mp4' },
  sticker: { dir: 'stickers', ext: 'webp' },
};

function kindOfContentType(contentType: string): string {
  if (contentType.startsWith('image/webp')) return 'sticker';
  if (contentType.startsWith('image/')) return 'photo';
  if (contentType === 'audio/ogg') return 'voice';
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType.startsWith('video/')) return 'video';
  return 'document';
}

function asObject(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function asInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function asString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Telegram's own checks of parse_mode text, reduced to the errors a sender actually meets. Returns the visible text. */
function checkEntities(text: string, parseMode: string | undefined): string {
  if (parseMode === undefined || parseMode === '') return text;
  if (parseMode === 'HTML') {
    const stack: string[] = [];
    const tag = /<(\/?)([a-zA-Z][\w-]*)[^>]*>/g;
    let match: RegExpExecArray | null;
    while ((match = tag.exec(text)) !== null) {
      const name = match[2].toLowerCase();
      const offset = Buffer.byteLength(text.slice(0, match.index));
      if (!HTML_TAGS.has(name)) {
        throw badRequest(`can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}`);
      }
      if (match[1] === '/') {
        if (stack.pop() !== name) throw badRequest(`can't parse entities: Unexpected end tag at byte offset ${offset}`);
      } else {
        stack.push(name);
      }
    }
    if (stack.length > 0) {
      throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`);
    }
    return text
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  }
  if (parseMode === 'MarkdownV2') {
    const reserved = /(^|[^\\])([.!#+=|{}-])/.exec(text);
    if (reserved) {
      throw badRequest(`can't parse entities: Character '${reserved[2]}' is reserved and must be escaped with the preceding '\\'`);
    }
    return text.replace(/\\(.)/g, '$1').replace(/[*_~`]/g, '');
  }
  if (parseMode === 'Markdown') return text.replace(/[*_`]/g, '');
  throw badRequest('unsupported parse_mode');
}

class Bot implements FakeBot {
  calls: TelegramCall[] = [];
  sent: TelegramSent[] = [];
  edited: FakeBot['edited'] = [];
  deleted: FakeBot['deleted'] = [];
  callbackAnswers: FakeBot['callbackAnswers'] = [];
  commands: FakeBot['commands'] = {};
  webhook: FakeBot['webhook'] = null;
  webhookError: { date: number; message: string } | null = null;
  readonly faults = new FaultTable<TelegramFault>();
  readonly files = new Map<string, StoredFile>();
  readonly chats = new Map<string, ChatState>();
  readonly callbackQueries = new Map<string, { answered: boolean }>();
  /** Customers seen in updates, with their profile photo (getUserProfilePhotos). */
  readonly customers = new Map<number, { photo: StoredFile | null }>();
  latencyMs = 0;
  readonly blockedChats = new Map<string, 'blocked' | 'deactivated'>();
  readonly inFlight: Record<string, number> = {};
  readonly maxInFlight: Record<string, number> = {};
  limits: TelegramLimits | null = null;
  limitViolations: FakeBot['limitViolations'] = [];
  private readonly sendLog: Array<{ chatId: string; at: number }> = [];
  private updateId = 100_000 + Math.floor(Math.random() * 1_000_000);
  private fileCounter = 0;

  constructor(
    readonly token: string,
    readonly id: number,
    readonly username: string,
    readonly firstName: string,
    private readonly apiUrl: () => string,
    private readonly webhookTimeoutMs: number,
  ) {}

  get user(): Record<string, unknown> {
    return { id: this.id, is_bot: true, first_name: this.firstName, username: this.username };
  }

  fault(method: string, fault: TelegramFault | null, times?: number): void {
    this.faults.set(method, fault, times);
  }

  reset(): void {
    this.calls = [];
    this.sent = [];
    this.edited = [];
    this.deleted = [];
    this.callbackAnswers = [];
    this.limitViolations = [];
    this.sendLog.length = 0;
    this.limits = null;
    this.latencyMs = 0;
    this.faults.clear();
    for (const key of Object.keys(this.maxInFlight)) delete this.maxInFlight[key];
  }

  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  blockedBy(chatId: number | string, state: 'blocked' | 'deactivated' | null): void {
    if (state) this.blockedChats.set(String(chatId), state);
    else this.blockedChats.delete(String(chatId));
  }

  enforceLimits(limits: TelegramLimits | null): void {
    this.limits = limits;
  }

  enter(method: string): void {
    for (const key of [method, '*']) {
      this.inFlight[key] = (this.inFlight[key] ?? 0) + 1;
      this.maxInFlight[key] = Math.max(this.maxInFlight[key] ?? 0, this.inFlight[key]);
    }
  }

  leave(method: string): void {
    for (const key of [method, '*']) this.inFlight[key] = Math.max(0, (this.inFlight[key] ?? 1) - 1);
  }

  /** Telegram's flood control as the Bot FAQ describes it; throws the 429 it would answer. */
  checkLimits(method: string, params: Params): void {
    const now = Date.now();
    while (this.sendLog.length > 0 && this.sendLog[0].at < now - 60_000) this.sendLog.shift();
    const limits = this.limits;
    const chatId = params.chat_id === undefined ? '' : String(params.chat_id);
    if (limits && chatId !== '') {
      const violation = (rule: 'per-chat' | 'per-group' | 'per-bot', waitMs: number) => {
        const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
        this.limitViolations.push({ method, chatId, rule, retryAfter, at: now });
        return faultError({ kind: 'rate-limit', retryAfter }) as TelegramError;
      };
      const toChat = this.sendLog.filter((entry) => entry.chatId === chatId);
      const last = toChat[toChat.length - 1];
      if (limits.perChatIntervalMs && last && now - last.at < limits.perChatIntervalMs) {
        throw violation('per-chat', limits.perChatIntervalMs - (now - last.at));
      }
      if (limits.perGroupPerMinute && chatId.startsWith('-') && toChat.length >= limits.perGroupPerMinute) {
        throw violation('per-group', toChat[toChat.length - limits.perGroupPerMinute].at + 60_000 - now);
      }
      const lastSecond = this.sendLog.filter((entry) => entry.at > now - 1000);
      if (limits.perBotPerSecond && lastSecond.length >= limits.perBotPerSecond) {
        throw violation('per-bot', lastSecond[lastSecond.length - limits.perBotPerSecond].at + 1000 - now);
      }
    }
  }

  /** Accepted sends count toward the limits; refused ones do not. */
  noteSend(params: Params): void {
    this.sendLog.push({ chatId: params.chat_id === undefined ? '' : String(params.chat_id), at: Date.now() });
  }

  storeFile(data: Buffer, opts: { contentType?: string; fileName?: string; kind?: string }): StoredFile {
    const contentType = opts.contentType ?? 'application/octet-stream';
    const kind = opts.kind ?? kindOfContentType(contentType);
    const folder = FOLDER[kind] ?? FOLDER.document;
    this.fileCounter += 1;
    const ext = opts.fileName?.includes('.') ? opts.fileName.split('.').pop() : folder.ext;
    const file: StoredFile = {
      fileId: fileIdFor(kind),
      uniqueId: `AQAD${randomBytes(9).toString('base64url').slice(0, 12)}`,
      path: `${folder.dir}/file_${this.fileCounter}.${ext}`,
      data,
      contentType,
      fileName: opts.fileName,
    };
    this.files.set(file.fileId, file);
    return file;
  }

  addFile(data: Buffer, opts: { contentType?: string; fileName?: string } = {}): string {
    return this.storeFile(data, opts).fileId;
  }

  nextUpdateId(): number {
    const id = this.updateId;
    this.updateId += 1;
    return id;
  }

  setUpdateId(next: number): void {
    this.updateId = next;
  }

  chatState(chatId: string, customer?: TelegramCustomer): ChatState {
    let state = this.chats.get(chatId);
    if (!state) {
      const numeric = Number(chatId);
      const chat: Record<string, unknown> = chatId.startsWith('@')
        ? { id: -1_000_000_000_000 - this.chats.size - 1, type: 'channel', title: chatId.slice(1), username: chatId.slice(1) }
        : numeric < 0
          ? { id: numeric, type: numeric < -1_000_000_000_000 ? 'supergroup' : 'group', title: `Group ${chatId}` }
          : { id: numeric, type: 'private' };
      state = { chat, nextMessageId: 1, messages: new Map() };
      this.chats.set(chatId, state);
    }
    if (customer && state.chat.type === 'private') {
      Object.assign(state.chat, {
        first_name: customer.firstName,
        ...(customer.lastName ? { last_name: customer.lastName } : {}),
        ...(customer.username ? { username: customer.username } : {}),
      });
    }
    return state;
  }

  message(chatId: number | string, messageId: number): Record<string, unknown> | undefined {
    return this.chats.get(String(chatId))?.messages.get(messageId);
  }

  update(kind: UpdateKind, opts: UpdateOptions = {}): Record<string, unknown> {
    // A given `from` is the whole customer: the default customer's surname or username must not leak into it.
    const customer: TelegramCustomer = opts.from ? { id: DEFAULT_CUSTOMER.id, firstName: DEFAULT_CUSTOMER.firstName, ...opts.from } : DEFAULT_CUSTOMER;
    const from: Record<string, unknown> = {
      id: customer.id,
      is_bot: false,
      first_name: customer.firstName,
      ...(customer.lastName ? { last_name: customer.lastName } : {}),
      ...(customer.username ? { username: customer.username } : {}),
      ...(customer.languageCode ? { language_code: customer.languageCode } : {}),
    };
    if (!this.customers.has(customer.id)) {
      this.customers.set(customer.id, {
        photo: customer.hasPhoto === false ? null : this.storeFile(PIXEL_JPEG, { contentType: 'image/jpeg', kind: 'photo' }),
      });
    }
    const chatId = String(opts.chatId ?? customer.id);
    const state = this.chatState(chatId, customer);
    const date = opts.date ?? Math.floor(Date.now() / 1000);

    if (kind === 'member') {
      const status = opts.status ?? 'kicked';
      this.blockedBy(chatId, status === 'kicked' ? 'blocked' : null);
      const member = (value: string) => ({ user: this.user, status: value, ...(value === 'kicked' ? { until_date: 0 } : {}) });
      return {
        update_id: this.nextUpdateId(),
        my_chat_member: {
          chat: { ...state.chat },
          from,
          date,
          old_chat_member: member(status === 'kicked' ? 'member' : 'kicked'),
          new_chat_member: member(status),
        },
      };
    }

    if (kind === 'callback') {
      const messageId = opts.messageId ?? [...this.sent].reverse().find((s) => s.chatId === chatId)?.messageId;
      const message = messageId === undefined ? undefined : state.messages.get(messageId);
      if (!message) throw new Error(`callback: no bot message ${messageId ?? '(none sent)'} in chat ${chatId}`);
      const queryId = `${BigInt.asUintN(63, BigInt(`0x${randomBytes(8).toString('hex')}`))}`;
      this.callbackQueries.set(queryId, { answered: false });
      return {
        update_id: this.nextUpdateId(),
        callback_query: {
          id: queryId,
          from,
          message: structuredClone(message),
          chat_instance: String(BigInt.asIntN(63, BigInt(`0x${randomBytes(8).toString('hex')}`))),
          data: opts.callbackData ?? '',
        },
      };
    }

    if (kind === 'edited') {
      const target = opts.messageId === undefined ? undefined : state.messages.get(opts.messageId);
      if (!target) throw new Error(`edited: no message ${opts.messageId} in chat ${chatId}`);
      if ('text' in target) target.text = opts.text ?? target.text;
      else target.caption = opts.caption ?? opts.text ?? target.caption;
      target.edit_date = date;
      return { update_id: this.nextUpdateId(), edited_message: structuredClone(target) };
    }

    const message: Record<string, unknown> = { message_id: state.nextMessageId, from, chat: { ...state.chat }, date };
    state.nextMessageId += 1;
    if (opts.replyTo !== undefined) {
      const replied = state.messages.get(opts.replyTo);
      if (!replied) throw new Error(`replyTo: no message ${opts.replyTo} in chat ${chatId}`);
      const { reply_to_message: _nested, ...flat } = replied;
      message.reply_to_message = structuredClone(flat);
    }
    const fileOf = (fileKind: string, defaults: { contentType: string; fileName?: string }): StoredFile => {
      if (opts.fileId) {
        const known = this.files.get(opts.fileId);
        if (!known) throw new Error(`unknown fileId ${opts.fileId}`);
        return known;
      }
      const data = opts.data ?? randomBytes(2048);
      return this.storeFile(data, { contentType: opts.mimeType ?? defaults.contentType, fileName: opts.fileName ?? defaults.fileName, kind: fileKind });
    };
    const caption = () => (opts.caption !== undefined ? { caption: opts.caption } : {});

    switch (kind) {
      case 'text': {
        const text = opts.text ?? 'Hello!';
        message.text = text;
        const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
        if (command) message.entities = [{ type: 'bot_command', offset: 0, length: command[0].length }];
        break;
      }
      case 'photo': {
        const big = fileOf('photo', { contentType: 'image/jpeg' });
        const small = [
          [90, 67],
          [320, 240],
          [800, 600],
        ];
        message.photo = [
          ...small.slice(0, 2).map(([width, height], index) => {
            const thumb = this.storeFile(big.data.subarray(0, Math.max(1, Math.floor(big.data.length / (4 - index * 2)))), {
              contentType: big.contentType,
              kind: 'photo',
            });
            return { file_id: thumb.fileId, file_unique_id: thumb.uniqueId, file_size: thumb.data.length, width, height };
          }),
          { file_id: big.fileId, file_unique_id: big.uniqueId, file_size: big.data.length, width: 1280, height: 960 },
        ];
        Object.assign(message, caption());
        break;
      }
      case 'document': {
        const file = fileOf('document', { contentType: 'application/pdf', fileName: 'invoice.pdf' });
        message.document = {
          file_name: file.fileName ?? 'document.dat',
          mime_type: file.contentType,
          file_id: file.fileId,
          file_unique_id: file.uniqueId,
          file_size: file.data.length,
        };
        Object.assign(message, caption());
        break;
      }
      case 'voice': {
        const file = fileOf('voice', { contentType: 'audio/ogg' });
        message.voice = { duration: opts.duration ?? 3, mime_type: file.contentType, file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.data.length };
        Object.assign(message, caption());
        break;
      }
      case 'audio': {
        const file = fileOf('audio', { contentType: 'audio/mpeg', fileName: 'song.mp3' });
        message.audio = {
          duration: opts.duration ?? 180,
          file_name: file.fileName ?? 'audio.mp3',
          mime_type: file.contentType,
          title: 'Song',
          performer: 'Artist',
          file_id: file.fileId,
          file_unique_id: file.uniqueId,
          file_size: file.data.length,
        };
        Object.assign(message, caption());
        break;
      }
      case 'video': {
        const file = fileOf('video', { contentType: 'video/mp4', fileName: 'video.mp4' });
        message.video = {
          duration: opts.duration ?? 10,
          width: 1280,
          height: 720,
          file_name: file.fileName ?? 'video.mp4',
          mime_type: file.contentType,
          file_id: file.fileId,
          file_unique_id: file.uniqueId,
          file_size: file.data.length,
        };
        Object.assign(message, caption());
        break;
      }
      case 'sticker': {
        const file = fileOf('sticker', { contentType: 'image/webp' });
        message.sticker = {
          width: 512,
          height: 512,
          emoji: opts.emoji ?? '👍',
          set_name: 'FakeStickers',
          is_animated: false,
          is_video: false,
          type: 'regular',
          file_id: file.fileId,
          file_unique_id: file.uniqueId,
          file_size: file.data.length,
        };
        break;
      }
      default:
        throw new Error(`unknown update kind ${String(kind)}`);
    }
    state.messages.set(message.message_id as number, message);
    return { update_id: this.nextUpdateId(), message: structuredClone(message) };
  }

  async deliver(update: Record<string, unknown>, opts: { secretToken?: string | null } = {}): Promise<{ status: number; body: string; ms: number }> {
    if (!this.webhook) throw new Error(`bot ${this.username} has no webhook (setWebhook was not called)`);
    const secret = opts.secretToken === undefined ? this.webhook.secretToken : (opts.secretToken ?? undefined);
    const headers: Record<string, string> = secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret };
    const started = Date.now();
    const result = await postJson(this.webhook.url, update, headers, this.webhookTimeoutMs);
    const ms = Date.now() - started;
    if (result.status < 200 || result.status > 299) {
      this.webhookError = {
        date: Math.floor(Date.now() / 1000),
        message: result.status === 0 ? `Connection refused or timed out: ${result.error ?? ''}`.trim() : `Wrong response from the webhook: ${result.status}`,
      };
    }
    return { status: result.status, body: result.body, ms };
  }

  summary(): Record<string, unknown> {
    return { token: this.token, id: this.id, username: this.username, firstName: this.firstName, webhook: this.webhook, apiUrl: this.apiUrl() };
  }

  state(): Record<string, unknown> {
    return {
      ...this.summary(),
      calls: this.calls,
      sent: this.sent,
      edited: this.edited,
      deleted: this.deleted,
      callbackAnswers: this.callbackAnswers,
      commands: this.commands,
      faults: this.faults.list(),
      latencyMs: this.latencyMs,
      maxInFlight: this.maxInFlight,
      limits: this.limits,
      limitViolations: this.limitViolations,
    };
  }
}

type Params = Record<string, unknown>;

interface Request {
  bot: Bot;
  params: Params;
  files: UploadedPart[];
  call: TelegramCall;
}

/** Resolves a media parameter: an upload (attach://id or a part named like the parameter), a known file_id, or a URL. */
function mediaInput(req: Request, field: string, kind: string): { file?: StoredFile; url?: string; upload?: UploadedPart } {
  const value = req.params[field];
  let upload: UploadedPart | undefined;
  if (typeof value === 'string' && value.startsWith('attach://')) {
    upload = req.files.find((part) => part.field === value.slice('attach://'.length));
    if (!upload) throw badRequest(`file must be non-empty`);
  } else if (value === undefined) {
    upload = req.files.find((part) => part.field === field);
  }
  if (upload) {
    if (upload.data.length === 0) throw badRequest('file must be non-empty');
    if (kind === 'photo' && upload.data.length > MAX_PHOTO_BYTES) throw badRequest('file is too big');
    if (upload.data.length > MAX_UPLOAD_BYTES) throw new TelegramError(413, 'Request Entity Too Large');
    const contentType = upload.contentType === 'application/octet-stream' ? guessType(upload.fileName, kind) : upload.contentType;
    return { upload, file: req.bot.storeFile(upload.data, { contentType, fileName: upload.fileName, kind }) };
  }
  if (typeof value !== 'string' || value === '') throw badRequest(`there is no ${field} in the request`);
  if (/^https?:\/\//.test(value)) return { url: value };
  const known = req.bot.files.get(value);
  if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
  return { file: known };
}

function guessType(fileName: string, kind: string): string {
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  const byExt: Record<string, string> = {
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    gif: 'image/gif',
    webp: 'image/webp',
    pdf: 'application/pdf',
    txt: 'text/plain',
    ogg: 'audio/ogg',
    oga: 'audio/ogg',
    mp3: 'audio/mpeg',
    m4a: 'audio/mp4',
    mp4: 'video/mp4',
  };
  return byExt[ext] ?? ({ photo: 'image/jpeg', voice: 'audio/ogg', audio: 'audio/mpeg', video: 'video/mp4' } as Record<string, string>)[kind] ?? 'application/octet-stream';
}

function chatIdOf(params: Params): string {
  const raw = params.chat_id;
  if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty');
  const value = String(raw).trim();
  if (!/^-?\d+$/.test(value) && !/^@[A-Za-z0-9_]{4,}$/.test(value)) throw badRequest('chat not found');
  return value;
}

function checkText(text: unknown, parseMode: unknown): string {
  if (typeof text !== 'string' || text.trim() === '') throw badRequest('message text is empty');
  const visible = checkEntities(text, asString(parseMode));
  if (visible.length > MAX_TEXT) throw badRequest('message is too long');
  if (visible.trim() === '') throw badRequest('message text is empty');
  return text;
}

function checkCaption(caption: unknown, parseMode: unknown): string | undefined {
  if (caption === undefined || caption === null || caption === '') return undefined;
  const text = String(caption);
  if (checkEntities(text, asString(parseMode)).length > MAX_CAPTION) throw badRequest('message caption is too long');
  return text;
}

function newMessage(req: Request, chatId: string, extra: Record<string, unknown>): Record<string, unknown> {
  const state = req.bot.chatState(chatId);
  const message: Record<string, unknown> = {
    message_id: state.nextMessageId,
    from: req.bot.user,
    chat: { ...state.chat },
    date: Math.floor(Date.now() / 1000),
    ...extra,
  };
  state.nextMessageId += 1;
  const replyTo = asInt(req.params.reply_to_message_id) ?? asInt((asObject(req.params.reply_parameters) as Params | undefined)?.message_id);
  if (replyTo !== undefined) {
    const replied = state.messages.get(replyTo);
    if (!replied) throw badRequest('message to be replied not found');
    const { reply_to_message: _nested, ...flat } = replied;
    message.reply_to_message = structuredClone(flat);
  }
  const markup = asObject(req.params.reply_markup);
  if (markup && typeof markup === 'object' && 'inline_keyboard' in markup) message.reply_markup = markup;
  state.messages.set(message.message_id as number, message);
  return message;
}

function recordSent(req: Request, chatId: string, message: Record<string, unknown>, extra: Partial<TelegramSent> = {}): void {
  req.bot.sent.push({
    method: req.call.method,
    chatId,
    messageId: message.message_id as number,
    ...(typeof message.text === 'string' ? { text: message.text } : {}),
    ...(typeof message.caption === 'string' ? { caption: message.caption } : {}),
    ...(req.params.parse_mode ? { parseMode: String(req.params.parse_mode) } : {}),
    ...(req.params.reply_markup !== undefined ? { replyMarkup: asObject(req.params.reply_markup) } : {}),
    ...(message.reply_to_message ? { replyToMessageId: (message.reply_to_message as Params).message_id as number } : {}),
    ...extra,
    at: Date.now(),
  });
}

function storedMessage(req: Request): { chatId: string; message: Record<string, unknown> } {
  if (req.params.inline_message_id !== undefined) throw badRequest('inline messages are not supported by this fake');
  const chatId = chatIdOf(req.params);
  const messageId = asInt(req.params.message_id);
  if (messageId === undefined) throw badRequest('message identifier is not specified');
  const message = req.bot.chats.get(chatId)?.messages.get(messageId);
  return { chatId, message: message ?? {} };
}

function sendMedia(kind: 'photo' | 'document' | 'voice' | 'audio' | 'video' | 'sticker') {
  return (req: Request): unknown => {
    const chatId = chatIdOf(req.params);
    const captionText = kind === 'sticker' ? undefined : checkCaption(req.params.caption, req.params.parse_mode);
    const input = mediaInput(req, kind, kind);
    const file = input.file;
    const base = file ? { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.data.length } : { file_id: fileIdFor(kind), file_unique_id: `AQAD${randomBytes(9).toString('base64url').slice(0, 12)}` };
    const media: Record<string, unknown> = {
      photo: {
        photo: [
          { ...base, width: 90, height: 67 },
          { ...base, width: 1280, height: 960 },
        ],
      },
      document: { document: { ...base, file_name: file?.fileName ?? 'document.dat', mime_type: file?.contentType ?? 'application/octet-stream' } },
      voice: { voice: { ...base, duration: asInt(req.params.duration) ?? 1, mime_type: file?.contentType ?? 'audio/ogg' } },
      audio: { audio: { ...base, duration: asInt(req.params.duration) ?? 1, file_name: file?.fileName, mime_type: file?.contentType ?? 'audio/mpeg' } },
      video: { video: { ...base, duration: asInt(req.params.duration) ?? 1, width: 1280, height: 720, file_name: file?.fileName, mime_type: file?.contentType ?? 'video/mp4' } },
      sticker: { sticker: { ...base, width: 512, height: 512, emoji: '🙂', is_animated: false, is_video: false, type: 'regular' } },
    }[kind] as Record<string, unknown>;
    const message = newMessage(req, chatId, { ...media, ...(captionText ? { caption: captionText } : {}) });
    recordSent(req, chatId, message, {
      file: input.upload
        ? { fileId: file?.fileId, name: input.upload.fileName, size: input.upload.data.length, contentType: input.upload.contentType }
        : { fileId: file?.fileId, url: input.url },
    });
    return message;
  };
}

const METHODS: Record<string, (req: Request) => unknown> = {
  getme: (req) => ({
    ...req.bot.user,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  }),
  logout: () => true,
  close: () => true,

  setwebhook: (req) => {
    const url = asString(req.params.url) ?? '';
    if (url === '') {
      const had = req.bot.webhook !== null;
      req.bot.webhook = null;
      return { result: true, description: had ? 'Webhook was deleted' : 'Webhook is already deleted' };
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    const secret = asString(req.params.secret_token);
    if (secret !== undefined && !SECRET_TOKEN.test(secret)) throw badRequest('secret token contains unallowed characters');
    const allowed = asObject(req.params.allowed_updates);
    const same = req.bot.webhook?.url === url && req.bot.webhook.secretToken === secret;
    req.bot.webhook = {
      url,
      ...(secret !== undefined ? { secretToken: secret } : {}),
      ...(Array.isArray(allowed) ? { allowedUpdates: allowed.map(String) } : {}),
      ...(asInt(req.params.max_connections) !== undefined ? { maxConnections: asInt(req.params.max_connections) } : {}),
    };
    req.bot.webhookError = null;
    return { result: true, description: same ? 'Webhook is already set' : 'Webhook was set' };
  },
  deletewebhook: (req) => {
    const had = req.bot.webhook !== null;
    req.bot.webhook = null;
    return { result: true, description: had ? 'Webhook was deleted' : 'Webhook is already deleted' };
  },
  getwebhookinfo: (req) => {
    const hook = req.bot.webhook;
    if (!hook) return { url: '', has_custom_certificate: false, pending_update_count: 0 };
    return {
      url: hook.url,
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: hook.maxConnections ?? 40,
      ip_address: '127.0.0.1',
      ...(hook.allowedUpdates ? { allowed_updates: hook.allowedUpdates } : {}),
      ...(req.bot.webhookError ? { last_error_date: req.bot.webhookError.date, last_error_message: req.bot.webhookError.message } : {}),
    };
  },
  getupdates: (req) => {
    if (req.bot.webhook) throw new TelegramError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    return [];
  },

  sendmessage: (req) => {
    const chatId = chatIdOf(req.params);
    const text = checkText(req.params.text, req.params.parse_mode);
    const message = newMessage(req, chatId, { text });
    recordSent(req, chatId, message);
    return message;
  },
  sendphoto: sendMedia('photo'),
  senddocument: sendMedia('document'),
  sendvoice: sendMedia('voice'),
  sendaudio: sendMedia('audio'),
  sendvideo: sendMedia('video'),
  sendsticker: sendMedia('sticker'),
  sendchataction: (req) => {
    chatIdOf(req.params);
    if (!req.params.action) throw badRequest('wrong parameter action in request');
    return true;
  },

  editmessagetext: (req) => {
    const { chatId, message } = storedMessage(req);
    if (!('message_id' in message) || message.deleted === true) throw badRequest('message to edit not found');
    if ((message.from as Params | undefined)?.id !== req.bot.id) throw badRequest("message can't be edited");
    if (!('text' in message)) throw badRequest('there is no text in the message to edit');
    const text = checkText(req.params.text, req.params.parse_mode);
    const markup = asObject(req.params.reply_markup);
    if (message.text === text && JSON.stringify(message.reply_markup) === JSON.stringify(markup)) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    message.text = text;
    if (markup && typeof markup === 'object') message.reply_markup = markup;
    else delete message.reply_markup;
    message.edit_date = Math.floor(Date.now() / 1000);
    req.bot.edited.push({ method: 'editMessageText', chatId, messageId: message.message_id as number, text, replyMarkup: markup, at: Date.now() });
    return structuredClone(message);
  },
  editmessagecaption: (req) => {
    const { chatId, message } = storedMessage(req);
    if (!('message_id' in message) || message.deleted === true) throw badRequest('message to edit not found');
    if ((message.from as Params | undefined)?.id !== req.bot.id) throw badRequest("message can't be edited");
    const caption = checkCaption(req.params.caption, req.params.parse_mode);
    message.caption = caption;
    message.edit_date = Math.floor(Date.now() / 1000);
    req.bot.edited.push({ method: 'editMessageCaption', chatId, messageId: message.message_id as number, caption, at: Date.now() });
    return structuredClone(message);
  },
  editmessagereplymarkup: (req) => {
    const { chatId, message } = storedMessage(req);
    if (!('message_id' in message) || message.deleted === true) throw badRequest('message to edit not found');
    if ((message.from as Params | undefined)?.id !== req.bot.id) throw badRequest("message can't be edited");
    const markup = asObject(req.params.reply_markup);
    if (JSON.stringify(message.reply_markup) === JSON.stringify(markup)) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    if (markup && typeof markup === 'object') message.reply_markup = markup;
    else delete message.reply_markup;
    req.bot.edited.push({ method: 'editMessageReplyMarkup', chatId, messageId: message.message_id as number, replyMarkup: markup, at: Date.now() });
    return structuredClone(message);
  },
  deletemessage: (req) => {
    const { chatId, message } = storedMessage(req);
    if (!('message_id' in message) || message.deleted === true) throw badRequest('message to delete not found');
    message.deleted = true;
    req.bot.deleted.push({ chatId, messageId: message.message_id as number, at: Date.now() });
    return true;
  },

  getfile: (req) => {
    const fileId = asString(req.params.file_id);
    if (!fileId) throw badRequest('file_id not specified');
    const file = req.bot.files.get(fileId);
    if (!file) throw badRequest('invalid file_id');
    if (file.data.length > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
    return { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.data.length, file_path: file.path };
  },

  answercallbackquery: (req) => {
    const queryId = asString(req.params.callback_query_id);
    const query = queryId === undefined ? undefined : req.bot.callbackQueries.get(queryId);
    if (!query || query.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
    query.answered = true;
    const text = asString(req.params.text);
    if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
    req.bot.callbackAnswers.push({
      queryId: queryId as string,
      ...(text !== undefined ? { text } : {}),
      showAlert: req.params.show_alert === true || req.params.show_alert === 'true',
      ...(req.params.url !== undefined ? { url: String(req.params.url) } : {}),
      at: Date.now(),
    });
    return true;
  },

  setmycommands: (req) => {
    const commands = asObject(req.params.commands);
    if (!Array.isArray(commands)) throw badRequest('parameter "commands" is required');
    if (commands.length > 100) throw badRequest('too many commands');
    const clean = commands.map((entry: unknown) => {
      const { command, description } = (entry ?? {}) as Params;
      if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command.replace(/^\//, ''))) throw badRequest('BOT_COMMAND_INVALID');
      if (typeof description !== 'string' || description.length < 1 || description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      return { command: command.replace(/^\//, ''), description };
    });
    req.bot.commands[commandsKey(req.params)] = clean;
    return true;
  },
  getmycommands: (req) => req.bot.commands[commandsKey(req.params)] ?? [],
  deletemycommands: (req) => {
    delete req.bot.commands[commandsKey(req.params)];
    return true;
  },
  setchatmenubutton: () => true,
  getchatmenubutton: () => ({ type: 'commands' }),
  getuserprofilephotos: (req) => {
    const userId = asInt(req.params.user_id);
    if (userId === undefined) throw badRequest('user_id is empty');
    const customer = req.bot.customers.get(userId);
    if (!customer) throw badRequest('user not found');
    if (!customer.photo) return { total_count: 0, photos: [] };
    const offset = asInt(req.params.offset) ?? 0;
    const photo = customer.photo;
    const sizes = [160, 320, 640].map((side) => ({ file_id: photo.fileId, file_unique_id: photo.uniqueId, file_size: photo.data.length, width: side, height: side }));
    return { total_count: 1, photos: offset === 0 ? [sizes] : [] };
  },
  getchat: (req) => {
    const chatId = chatIdOf(req.params);
    const state = req.bot.chats.get(chatId);
    if (!state) throw badRequest('chat not found');
    return { ...state.chat, accent_color_id: 0, max_reaction_count: 11 };
  },
};

function commandsKey(params: Params): string {
  const scope = asObject(params.scope) as Params | undefined;
  return `${scope?.type ?? 'default'}:${asString(params.language_code) ?? ''}`;
}

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendVoice', 'sendAudio', 'sendVideo', 'sendSticker']);

/** Canonical method names for the call log (Telegram itself matches them case-insensitively). */
const CANONICAL = new Map(
  [
    'getMe', 'logOut', 'close', 'setWebhook', 'deleteWebhook', 'getWebhookInfo', 'getUpdates', 'sendMessage', 'sendPhoto',
    'sendDocument', 'sendVoice', 'sendAudio', 'sendVideo', 'sendSticker', 'sendChatAction', 'editMessageText',
    'editMessageCaption', 'editMessageReplyMarkup', 'deleteMessage', 'getFile', 'answerCallbackQuery', 'setMyCommands',
    'getMyCommands', 'deleteMyCommands', 'setChatMenuButton', 'getChatMenuButton', 'getChat', 'getUserProfilePhotos',
  ].map((name) => [name.toLowerCase(), name]),
);

export async function startFakeTelegram(options: StartFakeTelegramOptions = {}): Promise<FakeTelegram> {
  const bots = new Map<string, Bot>();
  let nextBotId = 7_000_000_001;
  let baseUrl = '';

  function addBot(opts: { token?: string; username?: string; firstName?: string } = {}): FakeBot {
    const idFromToken = opts.token ? Number(/^(\d+):/.exec(opts.token)?.[1]) : Number.NaN;
    const id = Number.isFinite(idFromToken) ? idFromToken : nextBotId++;
    const token = opts.token ?? randomToken(id);
    if (bots.has(token)) throw new Error('a bot with this token exists already');
    const username = opts.username ?? `fake_${id}_bot`;
    const bot = new Bot(token, id, username, opts.firstName ?? 'Fake Shop Bot', () => baseUrl, options.webhookTimeoutMs ?? 60_000);
    bots.set(token, bot);
    return bot;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, token: string, methodName: string, query: URLSearchParams) {
    const bot = bots.get(token);
    if (!bot) {
      // Telegram answers an unknown token before looking at the method or the body.
      sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const method = CANONICAL.get(methodName.toLowerCase()) ?? methodName;
    const fault = bot.faults.take((key) => key === '*' || key.toLowerCase() === method.toLowerCase());
    if (fault?.kind === 'refuse-connection') {
      refuse(req);
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_UPLOAD_BYTES + 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { ok: false, error_code: 413, description: 'Request Entity Too Large' });
        return;
      }
      throw error;
    }
    let params: Params;
    let files: UploadedPart[];
    try {
      const parsed = parseBody(raw, req.headers['content-type']);
      params = { ...Object.fromEntries(query), ...parsed.fields };
      files = parsed.files;
    } catch {
      sendJson(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON object" });
      return;
    }
    const call: TelegramCall = {
      method,
      params,
      files: files.map((part) => ({ field: fieldOfPart(params, part.field), name: part.fileName, size: part.data.length, contentType: part.contentType })),
      at: Date.now(),
    };
    bot.calls.push(call);
    options.onCall?.(bot, call);

    const handler = METHODS[method.toLowerCase()];
    const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      if (fault?.kind === 'hang-after-accept') {
        hang(res, fault.ms);
        return;
      }
      sendJson(res, status, body, headers);
    };
    if (fault) {
      const error = faultError(fault);
      if (error) {
        sendJson(res, error.status, errorBody(error), error.headers);
        return;
      }
    }
    if (!handler) {
      reply(404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    bot.enter(method);
    try {
      if (bot.latencyMs > 0) await sleep(bot.latencyMs);
      if (SEND_METHODS.has(method) || method === 'sendChatAction') {
        const blocked = bot.blockedChats.get(String(params.chat_id));
        if (blocked) throw faultError({ kind: blocked }) as TelegramError;
      }
      if (SEND_METHODS.has(method)) bot.checkLimits(method, params);
      const result = handler({ bot, params, files, call });
      if (SEND_METHODS.has(method)) bot.noteSend(params);
      if (result && typeof result === 'object' && 'description' in result && 'result' in result) {
        reply(200, { ok: true, ...(result as Record<string, unknown>) });
      } else {
        reply(200, { ok: true, result });
      }
    } catch (error) {
      if (error instanceof TelegramError) reply(error.status, errorBody(error), error.headers);
      else throw error;
    } finally {
      bot.leave(method);
    }
  }

  function handleDownload(res: ServerResponse, token: string, path: string) {
    const bot = bots.get(token);
    const file = bot ? [...bot.files.values()].find((candidate) => candidate.path === path) : undefined;
    if (!bot || !file) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    sendBytes(res, 200, file.data, file.contentType);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) {
    const raw = await readBody(req);
    let body: Params = {};
    const isJson = (req.headers['content-type'] ?? '').startsWith('application/json');
    if (raw.length > 0 && isJson) body = JSON.parse(raw.toString('utf8')) as Params;
    const need = (token: string): Bot => {
      const bot = bots.get(token);
      if (!bot) throw new ControlError(404, `no bot with token ${token}`);
      return bot;
    };
    let params: Record<string, string> | null;
    if (req.method === 'GET' && path === '/_fake') return sendJson(res, 200, { bots: [...bots.values()].map((bot) => bot.summary()) });
    if (req.method === 'GET' && path === '/_fake/bots') return sendJson(res, 200, [...bots.values()].map((bot) => bot.summary()));
    if (req.method === 'POST' && path === '/_fake/offline') return offlineFor(server, res, body.ms);
    if (req.method === 'POST' && path === '/_fake/bots') {
      const bot = addBot({ token: asString(body.token), username: asString(body.username), firstName: asString(body.firstName) }) as Bot;
      return sendJson(res, 201, bot.summary());
    }
    if (req.method === 'GET' && (params = route('/_fake/bots/:token', path))) return sendJson(res, 200, need(params.token).state());
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/fault', path))) {
      need(params.token).fault(asString(body.method) ?? '*', (body.fault as TelegramFault | null) ?? null, asInt(body.times));
      return sendJson(res, 200, { faults: need(params.token).faults.list() });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/files', path))) {
      const bot = need(params.token);
      const data = isJson ? Buffer.from(asString(body.base64) ?? '', 'base64') : raw;
      const fileId = bot.addFile(data, {
        contentType: asString(body.contentType) ?? query.get('contentType') ?? (isJson ? undefined : req.headers['content-type']),
        fileName: asString(body.fileName) ?? query.get('fileName') ?? undefined,
      });
      return sendJson(res, 201, { fileId });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/blocked-by', path))) {
      need(params.token).blockedBy(String(body.chatId), (body.state as 'blocked' | 'deactivated' | null | undefined) ?? null);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/latency', path))) {
      need(params.token).latency(asInt(body.ms) ?? 0);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/limits', path))) {
      need(params.token).enforceLimits(Object.keys(body).length > 0 ? (body as TelegramLimits) : null);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/update-id', path))) {
      const value = asInt(body.value);
      if (value === undefined) throw new ControlError(400, 'value must be an integer');
      need(params.token).setUpdateId(value);
      return sendJson(res, 200, { next: value });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/updates', path))) {
      const bot = need(params.token);
      const { kind, deliver, secretToken, dataBase64, ...opts } = body;
      const update = bot.update((asString(kind) ?? 'text') as UpdateKind, {
        ...(opts as UpdateOptions),
        ...(typeof dataBase64 === 'string' ? { data: Buffer.from(dataBase64, 'base64') } : {}),
      });
      if (deliver === false) return sendJson(res, 201, { update });
      const delivery = await bot.deliver(update, secretToken === undefined ? {} : { secretToken: secretToken as string | null });
      return sendJson(res, 201, { update, delivery });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/deliver', path))) {
      const bot = need(params.token);
      const delivery = await bot.deliver(body.update as Params, body.secretToken === undefined ? {} : { secretToken: body.secretToken as string | null });
      return sendJson(res, 200, delivery);
    }
    if (req.method === 'GET' && (params = route('/_fake/bots/:token/messages/:chatId/:messageId', path))) {
      const message = need(params.token).message(params.chatId, Number(params.messageId));
      return message ? sendJson(res, 200, message) : sendJson(res, 404, { error: 'no such message' });
    }
    if (req.method === 'POST' && (params = route('/_fake/bots/:token/reset', path))) {
      need(params.token).reset();
      return sendJson(res, 200, { ok: true });
    }
    throw new ControlError(404, `no control route ${req.method} ${path}`);
  }

  const server = await listen(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname;
      if (path === '/_fake' || path.startsWith('/_fake/')) {
        try {
          await handleControl(req, res, path, url.searchParams);
        } catch (error) {
          if (error instanceof ControlError) sendJson(res, error.status, { error: error.message });
          else if (error instanceof SyntaxError) sendJson(res, 400, { error: `bad JSON: ${error.message}` });
          else sendJson(res, 400, { error: (error as Error).message });
        }
        return;
      }
      const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
      if (download && (req.method === 'GET' || req.method === 'HEAD')) {
        handleDownload(res, decodeURIComponent(download[1]), decodeURIComponent(download[2]));
        return;
      }
      const api = /^\/bot([^/]*)\/([A-Za-z]+)\/?$/.exec(path);
      if (!api) {
        sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      await handleApi(req, res, decodeURIComponent(api[1]), api[2], url.searchParams);
    },
    { port: options.port, host: options.host },
  );
  baseUrl = server.url;

  return {
    url: server.url,
    addBot,
    bot: (token) => bots.get(token),
    get bots() {
      return [...bots.values()];
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

function errorBody(error: TelegramError): Record<string, unknown> {
  return { ok: false, error_code: error.status, description: error.description, ...(error.parameters ? { parameters: error.parameters } : {}) };
}

/** A part uploaded as `attach://<id>` is reported under the parameter that referenced it (photo, document, …). */
function fieldOfPart(params: Params, partName: string): string {
  const entry = Object.entries(params).find(([, value]) => value === `attach://${partName}`);
  return entry ? entry[0] : partName;
}

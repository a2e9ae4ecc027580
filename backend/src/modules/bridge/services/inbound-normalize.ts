import type { ThreadContext } from '@/modules/bridge/models/inbox-thread.model';

/** A file the customer sent, fetched later by a job. */
export interface InboundFileRef {
  fileName: string;
  contentType: string;
  source: { kind: 'telegram-file'; fileId: string } | { kind: 'url'; url: string } | { kind: 'avito-voice'; voiceId: string };
}

export interface InboundPerson {
  externalId: string;
  name: string;
  avatarUrl?: string | null;
  profileUrl?: string | null;
}

/** What one provider event means for us, whatever the provider. */
export type InboundAction =
  | {
      kind: 'message';
      externalChatId: string;
      externalMessageId: string;
      /** `in` from the customer; `out` written by the business account itself (an Avito echo or the Avito app). */
      direction: 'in' | 'out';
      /** The customer; for `out` on Avito only known from the chat. */
      customer: InboundPerson | null;
      body: string;
      files: InboundFileRef[];
      createdAt: Date;
      context?: ThreadContext | null;
    }
  | { kind: 'edit'; externalChatId: string; externalMessageId: string; body: string }
  | { kind: 'delete'; externalChatId: string; externalMessageId: string }
  | { kind: 'ignored'; reason: string };

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const fromUnix = (v: unknown) => (typeof v === 'number' && v > 0 ? new Date(v * 1000) : new Date());

export const STICKER_PLACEHOLDER = (emoji?: string) => `[Sticker${emoji ? ` ${emoji}` : ''}]`;
export const AVITO_UNSUPPORTED = (what: string) => `[${what}: not supported by Avito]`;

/** A Telegram Update → action. Only private chats are customer conversations. */
export function normaliseTelegram(update: Json): InboundAction {
  const edited = obj(update.edited_message);
  const message = obj(update.message) ?? edited;
  if (!message) return { kind: 'ignored', reason: `update kind ${Object.keys(update).filter((k) => k !== 'update_id').join(',') || 'empty'} is not handled` };
  const chat = obj(message.chat);
  const from = obj(message.from);
  if (!chat || str(chat.type) !== 'private') return { kind: 'ignored', reason: 'not a private chat' };
  const externalChatId = str(chat.id)!;
  const externalMessageId = str(message.message_id);
  if (!externalChatId || !externalMessageId) return { kind: 'ignored', reason: 'message without chat or id' };
  const text = str(message.text) ?? str(message.caption) ?? '';
  if (edited) return { kind: 'edit', externalChatId, externalMessageId, body: text };

  const files: InboundFileRef[] = [];
  let body = text;
  const photo = Array.isArray(message.photo) ? (message.photo as Json[]) : null;
  if (photo?.length) {
    // Telegram lists sizes smallest first: the last is the original.
    const largest = photo[photo.length - 1];
    files.push({ fileName: `photo-${externalMessageId}.jpg`, contentType: 'image/jpeg', source: { kind: 'telegram-file', fileId: str(largest.file_id)! } });
  }
  for (const [key, fallbackName, fallbackType] of [
    ['document', 'document', 'application/octet-stream'],
    ['voice', 'voice.ogg', 'audio/ogg'],
    ['audio', 'audio.mp3', 'audio/mpeg'],
    ['video', 'video.mp4', 'video/mp4'],
    ['video_note', 'video-note.mp4', 'video/mp4'],
    ['animation', 'animation.mp4', 'video/mp4'],
  ] as const) {
    const file = obj(message[key]);
    if (file && str(file.file_id)) {
      files.push({ fileName: str(file.file_name) ?? fallbackName, contentType: str(file.mime_type) ?? fallbackType, source: { kind: 'telegram-file', fileId: str(file.file_id)! } });
    }
  }
  const sticker = obj(message.sticker);
  if (sticker) body = STICKER_PLACEHOLDER(str(sticker.emoji));
  const location = obj(message.location);
  if (location) body = `[Location ${location.latitude}, ${location.longitude}]`;
  const contact = obj(message.contact);
  if (contact) body = `[Contact ${[str(contact.first_name), str(contact.last_name)].filter(Boolean).join(' ')} ${str(contact.phone_number) ?? ''}]`.replace(/\s+\]/, ']');
  if (!body && files.length === 0) return { kind: 'ignored', reason: 'message kind without text or files' };

  const username = str(from?.username);
  const name = [str(from?.first_name), str(from?.last_name)].filter(Boolean).join(' ') || (username ? `@${username}` : `Telegram ${externalChatId}`);
  return {
    kind: 'message',
    externalChatId,
    externalMessageId,
    direction: 'in',
    customer: { externalId: str(from?.id) ?? externalChatId, name, profileUrl: username ? `https://t.me/${username}` : null },
    body,
    files,
    createdAt: fromUnix(message.date),
  };
}

/** The largest of Avito's "WxH" → url sizes. */
export function largestImage(sizes: Record<string, string> | undefined): string | undefined {
  if (!sizes) return undefined;
  const area = (k: string) => k.split('x').map(Number).reduce((a, b) => a * (b || 0), 1);
  return Object.keys(sizes).sort((a, b) => area(b) - area(a)).map((k) => sizes[k])[0];
}

/** An Avito webhook body (or a polled message wrapped the same way) → action. */
export function normaliseAvito(event: Json): InboundAction {
  const payload = obj(event.payload);
  if (str(payload?.type) !== 'message') return { kind: 'ignored', reason: `payload type ${str(payload?.type) ?? 'missing'} is not handled` };
  const value = obj(payload!.value);
  const externalChatId = str(value?.chat_id);
  const externalMessageId = str(value?.id);
  if (!value || !externalChatId || !externalMessageId) return { kind: 'ignored', reason: 'message without chat or id' };
  const type = str(value.type) ?? 'text';
  if (type === 'deleted') return { kind: 'delete', externalChatId, externalMessageId };
  const content = obj(value.content) ?? {};
  const files: InboundFileRef[] = [];
  let body = '';
  let context: ThreadContext | null = null;
  switch (type) {
    case 'text':
      body = str(content.text) ?? '';
      break;
    case 'image': {
      const url = largestImage(obj(obj(content.image)?.sizes) as Record<string, string> | undefined);
      if (url) files.push({ fileName: `image-${externalMessageId}.jpg`, contentType: 'image/jpeg', source: { kind: 'url', url } });
      else body = '[Image]';
      break;
    }
    case 'link': {
      const link = obj(content.link);
      const url = str(link?.url);
      const text = str(link?.text);
      body = [text, url && url !== text ? url : undefined].filter(Boolean).join('\n') || '[Link]';
      break;
    }
    case 'item': {
      const item = obj(content.item);
      body = [str(item?.title), str(item?.price_string), str(item?.item_url)].filter(Boolean).join(' · ') || '[Item]';
      context = { title: str(item?.title), price: str(item?.price_string) ?? undefined, url: str(item?.item_url), imageUrl: str(item?.image_url) };
      break;
    }
    case 'location': {
      const location = obj(content.location);
      body = `[Location${str(location?.text) ? ` ${str(location?.text)}` : ''} (${location?.lat}, ${location?.lon})]`;
      break;
    }
    case 'voice': {
      const voiceId = str(obj(content.voice)?.voice_id);
      if (voiceId) files.push({ fileName: `voice-${externalMessageId}.m4a`, contentType: 'audio/mp4', source: { kind: 'avito-voice', voiceId } });
      else body = '[Voice message]';
      break;
    }
    case 'system':
      body = `[Avito] ${str(content.text) ?? 'system message'}`;
      break;
    case 'call':
      body = '[Missed call]';
      break;
    case 'file':
      body = AVITO_UNSUPPORTED('File');
      break;
    case 'video':
      body = AVITO_UNSUPPORTED('Video');
      break;
    case 'appCall':
      body = AVITO_UNSUPPORTED('Call in the app');
      break;
    default:
      return { kind: 'ignored', reason: `message type ${type} is not handled` };
  }
  const authorId = str(value.author_id);
  const accountId = str(value.user_id);
  // Deliveries include our own outgoing messages: the author is the account the webhook belongs to.
  const direction = authorId && accountId && authorId === accountId ? 'out' : 'in';
  const itemId = str(value.item_id);
  if (itemId) context = { ...(context ?? {}), itemId };
  return {
    kind: 'message',
    externalChatId,
    externalMessageId,
    direction,
    customer: direction === 'in' && authorId ? { externalId: authorId, name: '' } : null,
    body,
    files,
    createdAt: fromUnix(value.created),
    context,
  };
}

import { arrayUnique, isUUID, maxLength, minLength } from 'class-validator';
import { isBlankText, stripBidiControls } from '@/core/text';
import { validatePayload } from '@/core/validation';
import { MESSAGE_MAX_ATTACHMENTS, MESSAGE_MAX_LENGTH, PRINTABLE_CLIENT_ID } from './message.dto';
import { WsSendMessageDto } from './realtime.dto';

const FIELDS = new Set(['chatId', 'clientId', 'body', 'replyToId', 'attachmentIds', 'internal', 'force']);

const isNil = (value: unknown): value is null | undefined => value === null || value === undefined;
const hasNul = (value: unknown) => typeof value === 'string' && value.includes('\u0000');
const optionalBoolean = (value: unknown) => isNil(value) || typeof value === 'boolean';

/**
 * The rules of `WsSendMessageDto` (whitelist, NUL check, bidi stripping, every decorator) written out by hand for
 * the socket's hottest event: class-transformer + class-validator cost ~50 µs per send, this a few. It answers only
 * "valid, and here is the transformed payload" or null; on null the caller runs the DTO itself, so a refusal carries
 * exactly the DTO's message and fields. `ws-send.validator.spec.ts` runs every DTO case through both.
 */
export function fastSendPayload(payload: unknown): WsSendMessageDto | null {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const proto: unknown = Object.getPrototypeOf(payload);
  if (proto !== Object.prototype && proto !== null) return null;
  const plain = payload as Record<string, unknown>;
  const keys = Object.keys(plain);
  for (let i = 0; i < keys.length; i++) if (!FIELDS.has(keys[i])) return null;

  const { chatId, clientId, body, replyToId, attachmentIds, internal, force } = plain;
  if (!isUUID(chatId, 'all')) return null;
  if (typeof clientId !== 'string' || !minLength(clientId, 1) || !maxLength(clientId, 64) || !PRINTABLE_CLIENT_ID.test(clientId)) return null;
  if (!isNil(replyToId) && !isUUID(replyToId, 'all')) return null;
  if (!optionalBoolean(internal) || !optionalBoolean(force)) return null;

  let ids: string[] | null | undefined;
  if (isNil(attachmentIds)) {
    ids = attachmentIds;
  } else {
    if (!Array.isArray(attachmentIds) || attachmentIds.length < 1 || attachmentIds.length > MESSAGE_MAX_ATTACHMENTS) return null;
    for (let i = 0; i < attachmentIds.length; i++) if (!isUUID(attachmentIds[i], 'all')) return null;
    if (!arrayUnique(attachmentIds)) return null;
    ids = (attachmentIds as string[]).slice();
  }

  if (hasNul(body)) return null;
  // The DTO transforms before it validates, so the text rules (and whether they apply at all) see the stripped body.
  const text = typeof body === 'string' ? stripBidiControls(body) : body;
  const textRequired = !ids?.length || (text !== undefined && text !== '');
  if (textRequired) {
    if (typeof text !== 'string' || !minLength(text, 1) || !maxLength(text, MESSAGE_MAX_LENGTH) || isBlankText(text)) return null;
  }

  const out: WsSendMessageDto = { chatId: chatId as string, clientId };
  if ('body' in plain) out.body = text as string | undefined;
  if ('replyToId' in plain) out.replyToId = replyToId as string;
  if ('attachmentIds' in plain) out.attachmentIds = ids as string[];
  if ('internal' in plain) out.internal = internal as boolean;
  if ('force' in plain) out.force = force as boolean;
  return out;
}

/** The socket send payload, validated and transformed as the REST body is; refusals come from the DTO itself. */
export function validateSendPayload(payload: unknown): WsSendMessageDto | Promise<WsSendMessageDto> {
  return fastSendPayload(payload) ?? validatePayload(WsSendMessageDto, payload);
}

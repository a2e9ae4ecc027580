import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { ErrorCode } from '@/core/errors';
import { AttachmentUpdatedEventDto } from './attachment.dto';
import { ChatResponseDto, MarkReadDto } from './chat.dto';
import { MessageResponseDto, SendMessageDto } from './message.dto';
import { PresenceDto } from './presence.dto';
import { RepliedByDto } from './common.dto';

/**
 * The socket.io contract, served at the application's own origin under SOCKET_PATH. The classes below are
 * published in the OpenAPI spec as extra models so the generated client carries the payload types too.
 */
export const SOCKET_PATH = '/socket.io';

/** Every gateway on the server must pass the same options, or Nest would start a second socket.io server. */
export const SOCKET_GATEWAY_OPTIONS = {
  path: SOCKET_PATH,
  serveClient: false,
  // A message body is at most 4000 characters; anything far larger is not a legitimate event.
  maxHttpBufferSize: 64 * 1024,
} as const;

/** Client → server events; each expects an ack callback. */
export const ClientEvent = {
  MessageSend: 'message:send',
  Typing: 'typing',
  Read: 'read',
} as const;

/** Server → client events. */
export const ServerEvent = {
  MessageNew: 'message:new',
  MessageUpdated: 'message:updated',
  MessageDeleted: 'message:deleted',
  Typing: 'typing',
  Read: 'read',
  Presence: 'presence',
  ChatCreated: 'chat:created',
  ChatUpdated: 'chat:updated',
  MemberAdded: 'member:added',
  MemberRemoved: 'member:removed',
  AttachmentUpdated: 'attachment:updated',
  SessionEnded: 'session:ended',
  ServerDraining: 'server:draining',
} as const;

export class WsSendMessageDto extends SendMessageDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'chatId must be a UUID' })
  chatId: string;
}

export class WsTypingDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'chatId must be a UUID' })
  chatId: string;
}

export class WsReadDto extends MarkReadDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'chatId must be a UUID' })
  chatId: string;
}

export class AckErrorDto {
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode' })
  code: ErrorCode;

  @ApiProperty()
  message: string;

  @ApiPropertyOptional({ type: [String], description: 'Fields that failed validation' })
  fields?: string[];

  @ApiPropertyOptional({ description: 'RATE_LIMITED: seconds until a retry can succeed' })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ description: "CHANNEL_LIMIT: the channel capability that refused it (maxTextLength, attachments, canEdit)" })
  limit?: string;

  @ApiPropertyOptional({ type: () => RepliedByDto, description: 'REPLIED_MEANWHILE: the operator who replied after you opened the thread' })
  repliedBy?: RepliedByDto;

  @ApiPropertyOptional({ format: 'date-time', description: 'REPLIED_MEANWHILE: when they replied' })
  repliedAt?: string;

  @ApiPropertyOptional({ description: 'INTERNAL_ERROR: quote it when reporting the problem; it is in the server log' })
  correlationId?: string;
}

/** Ack of `message:send`: the stored message (also when the clientId was already used), or the error. */
export class SendMessageAckDto {
  @ApiProperty()
  ok: boolean;

  @ApiPropertyOptional({ type: () => MessageResponseDto })
  message?: MessageResponseDto;

  @ApiPropertyOptional({ type: () => AckErrorDto })
  error?: AckErrorDto;
}

/** Ack of `read`: the read marker after the move (it never goes back). */
export class ReadAckDto {
  @ApiProperty()
  ok: boolean;

  @ApiPropertyOptional()
  seq?: number;

  @ApiPropertyOptional({ type: () => AckErrorDto })
  error?: AckErrorDto;
}

/** Ack of `typing`. */
export class TypingAckDto {
  @ApiProperty()
  ok: boolean;

  @ApiPropertyOptional({ type: () => AckErrorDto })
  error?: AckErrorDto;
}

export class TypingEventDto {
  @ApiProperty({ format: 'uuid' })
  chatId: string;

  @ApiProperty({ format: 'uuid', description: 'Who types: a member; in a website thread, the visitor\'s contact id' })
  userId: string;
}

export class ReadEventDto {
  @ApiProperty({ format: 'uuid' })
  chatId: string;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty()
  seq: number;
}

export class MemberEventDto {
  @ApiProperty({ format: 'uuid' })
  chatId: string;

  @ApiProperty({ format: 'uuid', description: 'The member who joined or left' })
  userId: string;
}

/**
 * Sent right before the server disconnects a socket whose access token expired (`expired`: refresh, then reconnect)
 * or whose sign-in was ended by logout or revocation (`revoked`: sign in again).
 */
export class SessionEndedEventDto {
  @ApiProperty({ enum: ['expired', 'revoked'] })
  reason: 'expired' | 'revoked';
}

export type Ack<T> = (response: T) => void;

export interface ClientToServerEvents {
  'message:send': (payload: WsSendMessageDto, ack: Ack<SendMessageAckDto>) => void;
  typing: (payload: WsTypingDto, ack: Ack<TypingAckDto>) => void;
  read: (payload: WsReadDto, ack: Ack<ReadAckDto>) => void;
}

export interface ServerToClientEvents {
  'message:new': (message: MessageResponseDto) => void;
  'message:updated': (message: MessageResponseDto) => void;
  'message:deleted': (message: MessageResponseDto) => void;
  typing: (event: TypingEventDto) => void;
  read: (event: ReadEventDto) => void;
  presence: (event: PresenceDto) => void;
  'chat:created': (chat: ChatResponseDto) => void;
  'chat:updated': (chat: ChatResponseDto) => void;
  'member:added': (event: MemberEventDto) => void;
  'member:removed': (event: MemberEventDto) => void;
  'attachment:updated': (event: AttachmentUpdatedEventDto) => void;
  'session:ended': (event: SessionEndedEventDto) => void;
  /**
   * This instance is shutting down: send nothing more on this socket (every event already sent is still answered);
   * the transport closes shortly after and the client reconnects, to another instance.
   */
  'server:draining': () => void;
  /** A bridged inbox thread was created or changed status/assignee: a ThreadResponseDto of the bridge module's spec. */
  'thread:updated': (thread: object) => void;
  /** Who is looking at an inbox thread right now: a ThreadViewersResponseDto of the bridge module's spec. */
  'thread:viewers': (event: object) => void;
  /** An inbox thread passed from the AI agent to people: `{chatId, reason, detail, at}`. */
  'thread:handoff': (event: object) => void;
  /** The AI agent's draft for an inbox thread changed: `{chatId, text, createdAt}` (text null once used or discarded). */
  'thread:draft': (event: object) => void;
}

export type ServerEventName = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/** Realtime models published in the OpenAPI document (they travel over socket.io, not HTTP). */
export const REALTIME_MODELS = [
  WsSendMessageDto,
  WsTypingDto,
  WsReadDto,
  AckErrorDto,
  SendMessageAckDto,
  ReadAckDto,
  TypingAckDto,
  TypingEventDto,
  ReadEventDto,
  MemberEventDto,
  AttachmentUpdatedEventDto,
  SessionEndedEventDto,
];

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, Validate, ValidateIf } from 'class-validator';
import { stripBidiControls } from '@/core/text';
import { ErrorCode } from '@/core/errors';
import { type AttachmentResponseDto, INLINE_IMAGE_TYPES } from '@/schemas/attachment.dto';
import { MESSAGE_MAX_ATTACHMENTS, MESSAGE_MAX_LENGTH, type MessageResponseDto, NotBlank, PrintableClientId } from '@/schemas/message.dto';
import { WidgetThemeDto } from './channel.dto';

/** Who a website visitor is, as proven by a visitor token. */
export interface VisitorClaims {
  /** The visitor's contact. */
  contactId: string;
  channelId: string;
  /** The contact's external id: the thread is found by (channel, visitorId). */
  visitorId: string;
}

/** The widget's socket.io namespace; it accepts visitor tokens only. */
export const WIDGET_NAMESPACE = '/widget';

export const WidgetClientEvent = { MessageSend: 'message:send', Typing: 'typing', Sync: 'sync' } as const;
export const WidgetServerEvent = { MessageNew: 'message:new', MessageUpdated: 'message:updated', MessageDeleted: 'message:deleted', Typing: 'typing' } as const;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? stripBidiControls(value).trim() : value);

export class VisitorProfileDto {
  @ApiPropertyOptional({ maxLength: 128, description: 'How the visitor wants to be called' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'name must contain a non-space character' })
  @MaxLength(128)
  name?: string;

  @ApiPropertyOptional({ maxLength: 254, description: 'Where a reply can reach the visitor when nobody answers at once' })
  @IsOptional()
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email?: string;
}

export class CreateWidgetSessionDto extends VisitorProfileDto {
  @ApiPropertyOptional({ description: 'A visitor token from an earlier session (kept in localStorage): the same visitor and thread again' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  token?: string;
}

export class VisitorResponseDto {
  @ApiProperty({ format: 'uuid' })
  contactId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ nullable: true, type: String })
  email: string | null;
}

export class WidgetChannelDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ nullable: true, type: String })
  greeting: string | null;

  @ApiProperty({ type: WidgetThemeDto, nullable: true })
  theme: WidgetThemeDto | null;
}

export class WidgetSessionResponseDto {
  @ApiProperty({ description: 'The visitor token: Bearer for the widget routes, auth.token for the /widget namespace' })
  token: string;

  @ApiProperty({ format: 'uuid', description: 'The visitor (stable while the token is kept)' })
  visitorId: string;

  @ApiProperty({ format: 'uuid', description: 'The visitor as a contact of the channel' })
  contactId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The conversation; null until the visitor writes first' })
  threadId: string | null;

  @ApiProperty({ description: 'false for a new visitor, true when the token given was resumed' })
  resumed: boolean;

  @ApiProperty()
  name: string;

  @ApiProperty({ nullable: true, type: String })
  email: string | null;

  @ApiProperty({ description: 'Whether any operator of the channel is online now; the widget says "we will reply by e-mail" otherwise' })
  online: boolean;

  @ApiProperty({ type: WidgetChannelDto })
  channel: WidgetChannelDto;
}

export class WidgetAttachmentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  fileName: string;

  @ApiProperty()
  contentType: string;

  @ApiProperty()
  size: number;
}

export class WidgetMessageDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  threadId: string;

  @ApiProperty()
  seq: number;

  @ApiProperty({ nullable: true, type: String, description: 'null once deleted' })
  body: string | null;

  @ApiProperty({ enum: ['visitor', 'agent'], description: 'The visitor wrote it, or someone answering for the site (a person or the AI)' })
  from: 'visitor' | 'agent';

  @ApiProperty({ nullable: true, type: String, description: 'The name to show for an agent message' })
  senderName: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  editedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  deletedAt: string | null;

  @ApiProperty({ type: [WidgetAttachmentDto] })
  attachments: WidgetAttachmentDto[];
}

export class WidgetMessageListDto {
  @ApiProperty({ type: [WidgetMessageDto], description: 'Oldest first' })
  items: WidgetMessageDto[];

  @ApiProperty({ description: 'More messages after the last one (page again with after=<last seq>)' })
  hasMore: boolean;
}

export class WidgetHistoryQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Only messages newer than this seq (resync after a reconnect)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  after?: number;
}

/** `message:send` on the /widget namespace. */
export class WidgetSendDto {
  @ApiProperty({ description: 'Idempotency key chosen by the widget; sending it again returns the stored message', minLength: 1, maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Validate(PrintableClientId)
  clientId: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH, description: 'The text; may be omitted when attachmentIds is given' })
  @ValidateIf((o: WidgetSendDto) => !o.attachmentIds?.length || (o.body !== undefined && o.body !== ''))
  @IsString()
  @MinLength(1)
  @MaxLength(MESSAGE_MAX_LENGTH)
  @Validate(NotBlank)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? stripBidiControls(value) : value))
  body?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: MESSAGE_MAX_ATTACHMENTS, description: 'The visitor\'s completed image uploads to this thread' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MESSAGE_MAX_ATTACHMENTS)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each value in attachmentIds must be a UUID' })
  attachmentIds?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'The visitor\'s own thread; any other id is 404' })
  @ValidateIf((o: WidgetSendDto) => o.threadId !== undefined && o.threadId !== null)
  @IsUUID('all', { message: 'threadId must be a UUID' })
  threadId?: string | null;
}

/** `sync` on the /widget namespace: what the visitor missed while disconnected. */
export class WidgetSyncDto extends WidgetHistoryQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((o: WidgetSyncDto) => o.threadId !== undefined && o.threadId !== null)
  @IsUUID('all', { message: 'threadId must be a UUID' })
  threadId?: string | null;
}

export class WidgetTypingDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((o: WidgetTypingDto) => o.threadId !== undefined && o.threadId !== null)
  @IsUUID('all', { message: 'threadId must be a UUID' })
  threadId?: string | null;
}

export class WidgetAckErrorDto {
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode' })
  code: ErrorCode;

  @ApiProperty()
  message: string;
}

export class WidgetTypingEventDto {
  @ApiProperty({ format: 'uuid' })
  threadId: string;

  @ApiProperty({ nullable: true, type: String })
  name: string | null;
}

export interface WidgetServerToClient {
  'message:new': (message: WidgetMessageDto) => void;
  'message:updated': (message: WidgetMessageDto) => void;
  'message:deleted': (message: WidgetMessageDto) => void;
  typing: (event: WidgetTypingEventDto) => void;
}

const fileOf = (a: Pick<AttachmentResponseDto, 'id' | 'fileName' | 'contentType' | 'size'>): WidgetAttachmentDto => ({
  id: a.id,
  fileName: a.fileName,
  contentType: a.contentType,
  size: a.size,
});

/** What a visitor may see of a message: never an internal note (callers filter them), never operator ids. */
export const toWidgetMessage = (m: MessageResponseDto, senderName: string | null): WidgetMessageDto => ({
  id: m.id,
  threadId: m.chatId,
  seq: m.seq,
  body: m.deletedAt ? null : m.body,
  from: m.senderContactId ? 'visitor' : 'agent',
  senderName: m.senderContactId ? null : senderName,
  createdAt: m.createdAt,
  editedAt: m.editedAt,
  deletedAt: m.deletedAt,
  attachments: m.deletedAt ? [] : m.attachments.map(fileOf),
});

/** Visitors send images only, up to 10 MB each. */
export const WIDGET_IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const WIDGET_IMAGE_TYPES = INLINE_IMAGE_TYPES.filter((t) => t !== 'image/avif');

export class WidgetUploadDto {
  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  fileName: string;

  @ApiProperty({ enum: WIDGET_IMAGE_TYPES, description: 'Images only; checked against the bytes at completion' })
  @IsIn(WIDGET_IMAGE_TYPES, { message: `contentType must be an image: ${WIDGET_IMAGE_TYPES.join(', ')}` })
  contentType: string;

  @ApiProperty({ minimum: 1, maximum: WIDGET_IMAGE_MAX_BYTES, description: 'Size in bytes, at most 10 MB' })
  @IsInt({ message: 'size must be an integer number of bytes' })
  @Min(1)
  @Max(WIDGET_IMAGE_MAX_BYTES, { message: 'size must be at most 10 MB (10485760 bytes)' })
  size: number;
}

export class WidgetAttachmentUrlDto {
  @ApiProperty({ description: 'A short-lived storage URL of the file (an <img> cannot send the visitor token)' })
  url: string;
}

/** The /widget namespace's payloads, published in the spec as extra models so the generated client has their types. */
export const WIDGET_SOCKET_MODELS = [WidgetSendDto, WidgetSyncDto, WidgetTypingDto, WidgetTypingEventDto, WidgetAckErrorDto];

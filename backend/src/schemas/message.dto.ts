import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, Validate, ValidateIf, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isBlankText, stripBidiControls } from '@/core/text';
import { DELIVERY_STATES, type DeliveryState, type MessageDelivery } from '@/core/message-hooks';
import type { MessageRow } from '@/models/message.entity';
import { AttachmentResponseDto, toAttachmentResponse } from './attachment.dto';

export const MESSAGE_MAX_LENGTH = 4000;
export const MESSAGE_MAX_ATTACHMENTS = 10;

@ValidatorConstraint({ name: 'notBlank' })
export class NotBlank implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && !isBlankText(value);
  }
  defaultMessage() {
    return 'body must contain a non-space character';
  }
}

/** clientIds are opaque but printable: no control characters that would poison logs. */
export const PRINTABLE_CLIENT_ID = /^[\x21-\x7e]+$/;

// clientIds are opaque but printable: no control characters that would poison logs. A constraint class must carry
// @ValidatorConstraint, or class-validator silently skips it.
@ValidatorConstraint({ name: 'printableClientId' })
export class PrintableClientId implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && PRINTABLE_CLIENT_ID.test(value);
  }
  defaultMessage() {
    return 'clientId must be printable ASCII without spaces';
  }
}

export class SendMessageDto {
  @ApiProperty({ description: 'Idempotency key chosen by the client; resending it returns the stored message', minLength: 1, maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Validate(PrintableClientId)
  clientId: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH, description: 'The text; may be omitted (or empty) when attachmentIds is given' })
  // Text is optional only for a message that carries attachments; when present it is always 1..4000 characters.
  @ValidateIf((o: SendMessageDto) => !o.attachmentIds?.length || (o.body !== undefined && o.body !== ''))
  @IsString()
  @MinLength(1)
  @MaxLength(MESSAGE_MAX_LENGTH)
  @Validate(NotBlank)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? stripBidiControls(value) : value))
  body?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A message of the same chat' })
  @IsOptional()
  @IsUUID('all')
  replyToId?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: MESSAGE_MAX_ATTACHMENTS,
    description: 'Your own uploads to this chat in status "ready", in display order',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MESSAGE_MAX_ATTACHMENTS)
  @ArrayUnique({ message: 'attachmentIds must not repeat an id' })
  @IsUUID('all', { each: true, message: 'each value in attachmentIds must be a UUID' })
  attachmentIds?: string[];

  @ApiPropertyOptional({ default: false, description: 'An internal note: shown to the chat members (operators), never sent to the customer' })
  @IsOptional()
  @IsBoolean({ message: 'internal must be true or false' })
  internal?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Inbox threads: send even though another operator replied after you opened the thread (otherwise 409 REPLIED_MEANWHILE)' })
  @IsOptional()
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}

export class EditMessageDto {
  @ApiProperty({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MESSAGE_MAX_LENGTH)
  @Validate(NotBlank)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? stripBidiControls(value) : value))
  body: string;
}

export class ListMessagesQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Older than this seq, newest first' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  before?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Newer than this seq, oldest first' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  after?: number;

  @ApiPropertyOptional({
    minimum: 1,
    description: 'The page around this seq (a found message): it and up to half the limit older, the rest newer; newest first',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  around?: number;
}

export class DeliveryErrorDto {
  @ApiProperty({ description: 'A stable code, e.g. the provider error class' })
  code: string;

  @ApiProperty({ description: "The provider's description, for people" })
  message: string;
}

export class MessageDeliveryDto {
  @ApiProperty({ enum: DELIVERY_STATES, enumName: 'DeliveryState' })
  state: DeliveryState;

  @ApiPropertyOptional({ type: DeliveryErrorDto })
  error?: DeliveryErrorDto;

  @ApiPropertyOptional({ description: "The message's id at the provider once sent" })
  externalId?: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class MessageResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  chatId: string;

  @ApiProperty({ description: 'Position in the chat: strictly increasing, no gaps' })
  seq: number;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  senderId: string | null;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'In an inbox thread: the customer (contact) who wrote it. Both sender ids null: written from the business account in the provider\'s own app',
  })
  senderContactId: string | null;

  @ApiProperty({ nullable: true, type: String })
  clientId: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'null once the message is deleted' })
  body: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  replyToId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  editedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  deletedAt: string | null;

  @ApiProperty({ type: [AttachmentResponseDto], description: 'Files sent with the message, in order; empty once deleted' })
  attachments: AttachmentResponseDto[];

  @ApiProperty({ description: 'An internal note, never sent out of the messenger' })
  internal: boolean;

  @ApiPropertyOptional({ type: MessageDeliveryDto, description: 'Only on messages sent to an external channel (inbox threads)' })
  delivery?: MessageDeliveryDto;

  @ApiPropertyOptional({ enum: ['ai'], enumName: 'MessageSenderKind', description: "Only on messages without a user sender that an agent wrote: 'ai' is the channel's AI agent" })
  senderKind?: 'ai';

  @ApiPropertyOptional({ description: 'With senderKind: the name shown for the sender (the channel\'s agent name)' })
  senderName?: string;
}

export class MessageListResponseDto {
  @ApiProperty({ type: [MessageResponseDto] })
  items: MessageResponseDto[];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const toDeliveryResponse = (d: MessageDelivery): MessageDeliveryDto => ({
  state: d.state,
  ...(d.error ? { error: { code: d.error.code, message: d.error.message } } : {}),
  ...(d.externalId ? { externalId: d.externalId } : {}),
  updatedAt: new Date(d.updatedAt).toISOString(),
});

export const toMessageResponse = (m: MessageRow): MessageResponseDto => ({
  id: m.id,
  chatId: m.chatId,
  seq: m.seq,
  senderId: m.senderId,
  senderContactId: m.senderContactId ?? null,
  clientId: m.clientId,
  body: m.deletedAt ? null : m.body,
  replyToId: m.replyToId,
  createdAt: iso(m.createdAt)!,
  editedAt: iso(m.editedAt),
  deletedAt: iso(m.deletedAt),
  attachments: m.deletedAt ? [] : (m.attachments ?? []).map(toAttachmentResponse),
  internal: m.internal ?? false,
  ...(m.delivery ? { delivery: toDeliveryResponse(m.delivery) } : {}),
  ...(m.senderKind ? { senderKind: m.senderKind, senderName: m.senderName ?? 'AI' } : {}),
});

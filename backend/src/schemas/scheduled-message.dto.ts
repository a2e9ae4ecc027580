import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, MaxLength, MinLength, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { SCHEDULED_STATUSES, type ScheduledMessageRow, type ScheduledStatus } from '@/models/scheduled-message.entity';
import { MESSAGE_MAX_LENGTH, SendMessageDto } from './message.dto';

/** How far ahead a message may be scheduled: closer than the minimum it is simply sent. */
export const SCHEDULE_MIN_AHEAD_SECONDS = 10;
export const SCHEDULE_MAX_AHEAD_SECONDS = 365 * 24 * 3600;

const SEND_AT_DESCRIPTION = `Send later, at this time: at least ${SCHEDULE_MIN_AHEAD_SECONDS} s and at most a year ahead`;

@ValidatorConstraint({ name: 'notBlankScheduled' })
class NotBlank implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && value.trim().length > 0;
  }
  defaultMessage() {
    return 'body must contain a non-space character';
  }
}

/** The REST body of POST /chats/:chatId/messages: a message now, or with `sendAt` a scheduled one. */
export class PostMessageDto extends SendMessageDto {
  @ApiPropertyOptional({ format: 'date-time', description: `${SEND_AT_DESCRIPTION}. Only the author sees it until then; attachments cannot be scheduled` })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'sendAt must be an ISO 8601 date-time' })
  sendAt?: string;
}

export class UpdateScheduledMessageDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MESSAGE_MAX_LENGTH)
  @Validate(NotBlank)
  body?: string;

  @ApiPropertyOptional({ format: 'date-time', description: SEND_AT_DESCRIPTION })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'sendAt must be an ISO 8601 date-time' })
  sendAt?: string;
}

export class ScheduledMessageResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  chatId: string;

  @ApiProperty()
  clientId: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  replyToId: string | null;

  @ApiProperty({ format: 'date-time' })
  sendAt: string;

  @ApiProperty({ enum: SCHEDULED_STATUSES, enumName: 'ScheduledMessageStatus', description: 'pending until it goes; sent with messageId; failed when it could not be sent (e.g. you left the chat)' })
  status: ScheduledStatus;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The message it became, once sent' })
  messageId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ScheduledMessageListResponseDto {
  @ApiProperty({ type: [ScheduledMessageResponseDto], description: 'Your messages waiting to be sent in this chat, soonest first' })
  items: ScheduledMessageResponseDto[];
}

export const toScheduledMessageResponse = (row: ScheduledMessageRow): ScheduledMessageResponseDto => ({
  id: row.id,
  chatId: row.chatId,
  clientId: row.clientId,
  body: row.body,
  replyToId: row.replyToId,
  sendAt: new Date(row.sendAt).toISOString(),
  status: row.status,
  messageId: row.messageId,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});

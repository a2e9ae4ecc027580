import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import type { ContactRow } from '@/modules/bridge/models/contact.model';
import { THREAD_STATUSES, type ThreadContext, type ThreadStatus } from '@/modules/bridge/models/inbox-thread.model';
import type { ChannelType } from '@/modules/bridge/models/channel.model';
import { ChatResponseDto } from '@/schemas/chat.dto';
import { MessageResponseDto } from '@/schemas/message.dto';
import { CHANNEL_TYPES } from './channel.dto';

export const THREAD_PAGE_DEFAULT = 50;

export class ListThreadsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'channelId must be a UUID' })
  channelId?: string;

  @ApiPropertyOptional({ enum: THREAD_STATUSES, enumName: 'ThreadStatus' })
  @IsOptional()
  @IsIn(THREAD_STATUSES, { message: `status must be one of ${THREAD_STATUSES.join(', ')}` })
  status?: ThreadStatus;

  @ApiPropertyOptional({ description: '"me", "none" (unassigned) or a user id' })
  @IsOptional()
  @Matches(/^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, { message: 'assignee must be "me", "none" or a user id' })
  assignee?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: THREAD_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class UpdateThreadDto {
  @ApiPropertyOptional({ enum: THREAD_STATUSES, enumName: 'ThreadStatus' })
  @IsOptional()
  @IsIn(THREAD_STATUSES, { message: `status must be one of ${THREAD_STATUSES.join(', ')}` })
  status?: ThreadStatus;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'An operator of the channel, or null to unassign' })
  @ValidateIf((o: UpdateThreadDto) => o.assigneeId !== null && o.assigneeId !== undefined)
  @IsUUID('all', { message: 'assigneeId must be a user id or null' })
  assigneeId?: string | null;
}

export class ThreadChannelDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: CHANNEL_TYPES, enumName: 'ChannelType' })
  type: ChannelType;

  @ApiProperty()
  name: string;
}

export class ContactResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  channelId: string;

  @ApiProperty({ description: 'The customer id at the provider' })
  externalId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ nullable: true, type: String })
  avatarUrl: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'The customer profile at the provider' })
  profileUrl: string | null;

  @ApiProperty({ description: 'The customer blocked the bot, or the chat is gone' })
  blocked: boolean;
}

export class ThreadContextDto {
  @ApiPropertyOptional()
  itemId?: string;

  @ApiPropertyOptional()
  title?: string;

  @ApiPropertyOptional()
  price?: string;

  @ApiPropertyOptional()
  url?: string;

  @ApiPropertyOptional()
  imageUrl?: string;
}

export class ThreadResponseDto {
  @ApiProperty({ type: ChatResponseDto })
  chat: ChatResponseDto;

  @ApiProperty({ type: ThreadChannelDto })
  channel: ThreadChannelDto;

  @ApiProperty({ type: ContactResponseDto })
  contact: ContactResponseDto;

  @ApiProperty({ enum: THREAD_STATUSES, enumName: 'ThreadStatus' })
  status: ThreadStatus;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  assigneeId: string | null;

  @ApiProperty()
  unreadCount: number;

  @ApiProperty({ nullable: true, type: () => MessageResponseDto })
  lastMessage: MessageResponseDto | null;

  @ApiProperty({ nullable: true, type: ThreadContextDto, description: 'Avito: the listing the customer wrote about' })
  context: ThreadContextDto | null;

  @ApiProperty({ format: 'date-time' })
  lastActivityAt: string;
}

export class ThreadListResponseDto {
  @ApiProperty({ type: [ThreadResponseDto] })
  items: ThreadResponseDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export const toContactResponse = (c: ContactRow): ContactResponseDto => ({
  id: c.id,
  channelId: c.channelId,
  externalId: c.externalId,
  name: c.name,
  avatarUrl: c.avatarUrl,
  profileUrl: c.profileUrl,
  blocked: !!c.blockedAt,
});

export const toThreadResponse = (input: {
  chat: ChatResponseDto;
  channel: ThreadChannelDto;
  contact: ContactRow;
  status: ThreadStatus;
  assigneeId: string | null;
  context: ThreadContext | null;
  lastActivityAt: Date;
}): ThreadResponseDto => ({
  chat: input.chat,
  channel: { id: input.channel.id, type: input.channel.type, name: input.channel.name },
  contact: toContactResponse(input.contact),
  status: input.status,
  assigneeId: input.assigneeId,
  unreadCount: input.chat.unreadCount,
  lastMessage: input.chat.lastMessage,
  context: input.context,
  lastActivityAt: new Date(input.lastActivityAt).toISOString(),
});

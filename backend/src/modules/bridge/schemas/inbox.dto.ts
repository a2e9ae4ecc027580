import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDateString, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { LabelResponseDto } from './label.dto';
import type { ContactRow } from '@/modules/bridge/models/contact.model';
import { THREAD_OWNERS, THREAD_STATUSES, type ThreadContext, type ThreadOwner, type ThreadStatus } from '@/modules/bridge/models/inbox-thread.model';
import { AI_MODES, type AiMode, type ChannelAiSettings, type ChannelType, DEFAULT_AGENT_NAME } from '@/modules/bridge/models/channel.model';
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

  @ApiPropertyOptional({ format: 'uuid', description: 'Only threads carrying this label' })
  @IsOptional()
  @IsUUID('all', { message: 'labelId must be a UUID' })
  labelId?: string;

  @ApiPropertyOptional({ description: 'true: only threads with messages you have not read' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;

  @ApiPropertyOptional({ description: "Text searched in the contact's name and the thread's messages", maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

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

  @ApiPropertyOptional({ format: 'date-time', description: 'With status "snoozed": when the thread opens again by itself (in the future)' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'snoozedUntil must be an ISO 8601 date-time' })
  snoozedUntil?: string;
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

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Shared by contacts an operator linked as one person' })
  personId: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Left by a website visitor in the chat widget' })
  email: string | null;
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

export class ThreadAiAgentDto {
  @ApiProperty({ enum: AI_MODES, enumName: 'AiMode' })
  mode: AiMode;

  @ApiProperty({ description: "The name the agent's messages show" })
  agentName: string;
}

export class ThreadDraftResponseDto {
  @ApiProperty({ nullable: true, type: String, description: "The AI agent's answer offered to the operators; null when there is none" })
  text: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  createdAt: string | null;
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

  @ApiProperty({ enum: THREAD_OWNERS, enumName: 'ThreadOwner', description: "Who answers the customer: the channel's AI agent or people" })
  owner: ThreadOwner;

  @ApiProperty({ type: ThreadAiAgentDto, nullable: true, description: "The channel's AI agent while it is enabled; null otherwise" })
  aiAgent: ThreadAiAgentDto | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  assigneeId: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'While snoozed: when the thread opens again' })
  snoozedUntil: string | null;

  @ApiProperty({ type: [LabelResponseDto] })
  labels: LabelResponseDto[];

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
  personId: c.personId ?? null,
  email: c.email ?? null,
});

export const toThreadResponse = (input: {
  chat: ChatResponseDto;
  channel: ThreadChannelDto;
  contact: ContactRow;
  status: ThreadStatus;
  owner: ThreadOwner;
  ai?: ChannelAiSettings | null;
  assigneeId: string | null;
  snoozedUntil: Date | null;
  labels?: LabelResponseDto[];
  context: ThreadContext | null;
  lastActivityAt: Date;
}): ThreadResponseDto => ({
  chat: input.chat,
  channel: { id: input.channel.id, type: input.channel.type, name: input.channel.name },
  contact: toContactResponse(input.contact),
  status: input.status,
  owner: input.owner,
  aiAgent: input.ai?.enabled ? { mode: input.ai.mode, agentName: input.ai.agentName ?? DEFAULT_AGENT_NAME } : null,
  assigneeId: input.assigneeId,
  snoozedUntil: input.snoozedUntil ? new Date(input.snoozedUntil).toISOString() : null,
  labels: input.labels ?? [],
  unreadCount: input.chat.unreadCount,
  lastMessage: input.chat.lastMessage,
  context: input.context,
  lastActivityAt: new Date(input.lastActivityAt).toISOString(),
});

export class ThreadCountsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'channelId must be a UUID' })
  channelId?: string;

  @ApiPropertyOptional({ enum: THREAD_STATUSES, enumName: 'ThreadStatus' })
  @IsOptional()
  @IsIn(THREAD_STATUSES, { message: `status must be one of ${THREAD_STATUSES.join(', ')}` })
  status?: ThreadStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'labelId must be a UUID' })
  labelId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** Threads per inbox tab under the given filters. */
export class ThreadCountsResponseDto {
  @ApiProperty({ description: 'Assigned to you' })
  mine: number;

  @ApiProperty()
  unassigned: number;

  @ApiProperty()
  all: number;
}

export class SetThreadLabelsDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'labelIds must be label ids' })
  labelIds: string[];
}

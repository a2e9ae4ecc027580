import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import type { CannedResponseRow } from '@/modules/bridge/models/label.model';
import { ContactResponseDto, ThreadResponseDto } from './inbox.dto';

export class CreateCannedResponseDto {
  @ApiProperty({ description: 'Typed after "/" in the composer: letters, digits, - and _', minLength: 1, maxLength: 64, example: 'hello' })
  @IsString()
  @Matches(/^[\p{L}\p{N}_-]{1,64}$/u, { message: 'shortcut must be 1–64 letters, digits, "-" or "_"' })
  shortcut: string;

  @ApiProperty({ description: 'The text; {{contact.name}} and {{operator.name}} are filled in when used', minLength: 1, maxLength: 4096 })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  body: string;
}

export class UpdateCannedResponseDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsString()
  @Matches(/^[\p{L}\p{N}_-]{1,64}$/u, { message: 'shortcut must be 1–64 letters, digits, "-" or "_"' })
  shortcut?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  body?: string;
}

export class CannedResponsesQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A thread: each reply then also comes with its placeholders filled in for it' })
  @IsOptional()
  @IsUUID('all', { message: 'chatId must be a UUID' })
  chatId?: string;
}

export class CannedResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  shortcut: string;

  @ApiProperty()
  body: string;

  @ApiPropertyOptional({ description: 'The body with {{contact.name}} and {{operator.name}} filled in for the thread asked about' })
  rendered?: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class CannedResponseListResponseDto {
  @ApiProperty({ type: [CannedResponseDto] })
  items: CannedResponseDto[];
}

export const toCannedResponse = (c: CannedResponseRow, rendered?: string): CannedResponseDto => ({
  id: c.id,
  shortcut: c.shortcut,
  body: c.body,
  ...(rendered !== undefined ? { rendered } : {}),
  updatedAt: new Date(c.updatedAt).toISOString(),
});

/** Fills the placeholders a canned reply may carry; unknown ones stay as written so a typo is visible. */
export const renderCanned = (body: string, values: { contactName: string; operatorName: string }): string =>
  body.replace(/\{\{\s*(contact\.name|operator\.name)\s*\}\}/g, (_, name: string) => (name === 'contact.name' ? values.contactName : values.operatorName));

export class LinkContactDto {
  @ApiProperty({ format: 'uuid', description: 'Another contact of the same person (e.g. on another channel)' })
  @IsUUID('all', { message: 'contactId must be a contact id' })
  contactId: string;
}

export class ContactDetailsResponseDto {
  @ApiProperty({ type: ContactResponseDto })
  contact: ContactResponseDto;

  @ApiProperty({ type: [ContactResponseDto], description: 'Contacts an operator linked to this one as the same person' })
  linked: ContactResponseDto[];

  @ApiProperty({ type: [ThreadResponseDto], description: "The person's threads on every channel you work, newest activity first" })
  threads: ThreadResponseDto[];
}

export class ThreadViewerDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty()
  name: string;
}

export class ThreadViewersResponseDto {
  @ApiProperty({ format: 'uuid' })
  chatId: string;

  @ApiProperty({ type: [ThreadViewerDto], description: 'Operators viewing the thread now (including you)' })
  viewers: ThreadViewerDto[];
}

export class StatsQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Start of the period (default: 7 days before `to`)' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'End of the period, exclusive (default: now)' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'channelId must be a UUID' })
  channelId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'operatorId must be a UUID' })
  operatorId?: string;
}

export class StatsFiguresDto {
  @ApiProperty({ description: 'New threads' })
  opened: number;

  @ApiProperty()
  resolved: number;

  @ApiProperty({ description: 'Resolved threads the customer opened again' })
  reopened: number;

  @ApiProperty({ nullable: true, type: Number, description: 'Median seconds from the first customer message to the first operator reply' })
  firstResponseMedianSeconds: number | null;

  @ApiProperty({ nullable: true, type: Number, description: '90th percentile of the same' })
  firstResponseP90Seconds: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Median seconds from (re)opening to resolving' })
  resolutionMedianSeconds: number | null;

  @ApiProperty()
  messagesIn: number;

  @ApiProperty({ description: 'Operator replies (internal notes excluded)' })
  messagesOut: number;

  @ApiProperty({ description: 'Outgoing messages whose delivery failed or was blocked' })
  failedDeliveries: number;
}

export class ChannelStatsDto extends StatsFiguresDto {
  @ApiProperty({ format: 'uuid' })
  channelId: string;

  @ApiProperty()
  channelName: string;
}

export class OperatorStatsDto extends StatsFiguresDto {
  @ApiProperty({ format: 'uuid' })
  operatorId: string;

  @ApiProperty()
  operatorName: string;
}

export class DayStatsDto extends StatsFiguresDto {
  @ApiProperty({ example: '2026-11-30', description: 'UTC day' })
  date: string;
}

export class InboxStatsResponseDto {
  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ type: StatsFiguresDto })
  total: StatsFiguresDto;

  @ApiProperty({ type: [ChannelStatsDto] })
  channels: ChannelStatsDto[];

  @ApiProperty({ type: [OperatorStatsDto] })
  operators: OperatorStatsDto[];

  @ApiProperty({ type: [DayStatsDto], description: 'One entry per UTC day of the period that had activity' })
  days: DayStatsDto[];
}

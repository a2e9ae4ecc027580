import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { ChatType } from '@/models/chat.entity';
import { MessageResponseDto } from './message.dto';

export const SEARCH_MAX_LIMIT = 50;
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_QUERY_MAX_LENGTH = 200;

export class SearchMessagesQueryDto {
  @ApiProperty({
    minLength: 1,
    maxLength: SEARCH_QUERY_MAX_LENGTH,
    description:
      'Words (stemmed in Russian and English: "заказы" finds "заказ", "orders" finds "order"), "a phrase" in double quotes, ' +
      'a prefix with a trailing * (`достав*`); when words find little, similar spellings (typos, parts of words) are found too',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(SEARCH_QUERY_MAX_LENGTH)
  @Matches(/\S/, { message: 'q must contain a non-space character' })
  q: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this chat' })
  @IsOptional()
  @IsUUID('all')
  chatId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Sent at or after this time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Sent before this time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only messages from this person' })
  @IsOptional()
  @IsUUID('all')
  senderId?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: SEARCH_DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SEARCH_MAX_LIMIT)
  limit?: number;
}

export class SearchChatDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ nullable: true, type: String, description: "The group's title; for a direct chat, the other person's display name" })
  title: string | null;

  @ApiProperty({ description: 'direct, group or inbox' })
  type: ChatType;
}

export class SearchHitDto {
  @ApiProperty({ type: MessageResponseDto })
  message: MessageResponseDto;

  @ApiProperty({ type: SearchChatDto })
  chat: SearchChatDto;

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
    description: 'Matched parts of message.body as [start, end) offsets in UTF-16 code units (JavaScript string indexes), in order',
    example: [[4, 9]],
  })
  highlights: Array<[number, number]>;
}

export class SearchMessagesResponseDto {
  @ApiProperty({ type: [SearchHitDto], description: 'Most relevant first, then newest' })
  items: SearchHitDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

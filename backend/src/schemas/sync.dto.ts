import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ChatResponseDto } from './chat.dto';
import { MessageResponseDto } from './message.dto';

export const SYNC_DEFAULT_LIMIT = 200;
export const SYNC_MAX_LIMIT = 500;

export class SyncQueryDto {
  @ApiPropertyOptional({
    maxLength: 200,
    description: 'The `cursor` of the previous answer. Absent or "0": nothing is returned but a cursor for "now"',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  since?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: SYNC_MAX_LIMIT, default: SYNC_DEFAULT_LIMIT, description: 'Changes per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SYNC_MAX_LIMIT)
  limit?: number;
}

export class SyncResponseDto {
  @ApiProperty({ description: 'Opaque; pass it as `since` next time' })
  cursor: string;

  @ApiProperty({ description: 'More changes are waiting: call again with `cursor` right away' })
  hasMore: boolean;

  @ApiProperty({
    type: [MessageResponseDto],
    description: 'Messages created, edited or deleted (body null, deletedAt set) in your chats, in change order; upsert them by id',
  })
  messages: MessageResponseDto[];

  @ApiProperty({
    type: [ChatResponseDto],
    description: 'Chats that were created, that you joined, or whose members or title changed: their current state',
  })
  chats: ChatResponseDto[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'Chats you left or were removed from: drop them' })
  removedChatIds: string[];
}

import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';

export const PRESENCE_QUERY_MAX_IDS = 200;

export class PresenceQueryDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    maxItems: PRESENCE_QUERY_MAX_IDS,
    description: 'Users to look up (repeat the parameter, or separate ids with commas)',
  })
  // Accepts both `ids=a&ids=b` and `ids=a,b`.
  @Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v])).filter((v) => v !== ''),
  )
  @IsArray()
  @ArrayMinSize(1, { message: 'ids must name at least one user' })
  @ArrayMaxSize(PRESENCE_QUERY_MAX_IDS)
  @IsUUID('all', { each: true, message: 'each value in ids must be a UUID' })
  ids: string[];
}

/** Also the payload of the `presence` socket event. */
export class PresenceDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ description: 'At least one socket of the user is connected to some instance' })
  online: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the last socket left; null while online or if never seen' })
  lastSeenAt: string | null;
}

export class PresenceListResponseDto {
  @ApiProperty({ type: [PresenceDto], description: 'Only you and people who share a chat with you; other ids are left out' })
  items: PresenceDto[];
}

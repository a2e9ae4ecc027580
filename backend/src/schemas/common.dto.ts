import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class RepliedByDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty()
  name: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'NOT_FOUND' })
  code: string;

  @ApiProperty({ example: 'Chat not found' })
  message: string;

  @ApiPropertyOptional({ type: [String], description: 'Fields that failed validation' })
  fields?: string[];

  @ApiPropertyOptional({ description: "CHANNEL_LIMIT: the channel capability that refused it (maxTextLength, attachments, canEdit)" })
  limit?: string;

  @ApiPropertyOptional({ type: () => RepliedByDto, description: 'REPLIED_MEANWHILE: the operator who replied after you opened the thread' })
  repliedBy?: RepliedByDto;

  @ApiPropertyOptional({ format: 'date-time', description: 'REPLIED_MEANWHILE: when they replied' })
  repliedAt?: string;

  @ApiPropertyOptional({ description: 'Present on 500: quote it when reporting the problem; it is in the server log.' })
  correlationId?: string;
}

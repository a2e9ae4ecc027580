import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { LabelRow } from '@/modules/bridge/models/label.model';

export class CreateLabelDto {
  @ApiProperty({ minLength: 1, maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name: string;

  @ApiPropertyOptional({ example: '#f59e0b', description: 'A #rrggbb colour' })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'color must be a #rrggbb colour' })
  color?: string;
}

export class UpdateLabelDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name?: string;

  @ApiPropertyOptional({ example: '#f59e0b' })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'color must be a #rrggbb colour' })
  color?: string;
}

export class LabelResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: '#f59e0b' })
  color: string;
}

export class LabelListResponseDto {
  @ApiProperty({ type: [LabelResponseDto] })
  items: LabelResponseDto[];
}

export const toLabelResponse = (l: LabelRow): LabelResponseDto => ({ id: l.id, name: l.name, color: l.color });

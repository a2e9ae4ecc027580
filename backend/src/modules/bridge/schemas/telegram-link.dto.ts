import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class CreateTelegramLinkDto {
  @ApiProperty({ format: 'uuid', description: 'The Telegram channel (bot) to link through' })
  @IsUUID('all', { message: 'channelId must be a UUID' })
  channelId: string;
}

export class TelegramLinkCodeDto {
  @ApiProperty({ description: 'Single-use code; send it to the bot as /start <code>' })
  code: string;

  @ApiProperty({ description: 'https://t.me/<bot username>?start=<code>' })
  url: string;

  @ApiProperty({ format: 'date-time', description: 'Ten minutes from now' })
  expiresAt: string;
}

export class TelegramSignInDto {
  @ApiProperty({ description: 'Telegram.WebApp.initData, as the Mini App received it', minLength: 1, maxLength: 8192 })
  @IsString()
  @MinLength(1, { message: 'initData is required' })
  @MaxLength(8192)
  initData: string;

  @ApiProperty({ format: 'uuid', description: 'The Telegram channel whose bot opened the Mini App' })
  @IsUUID('all', { message: 'channelId must be a UUID' })
  channelId: string;
}

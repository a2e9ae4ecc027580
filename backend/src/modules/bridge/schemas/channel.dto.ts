import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { CHANNEL_CAPABILITIES, CHANNEL_STATUSES, type ChannelRow, type ChannelStatus, type ChannelType } from '@/modules/bridge/models/channel.model';


export const CHANNEL_TYPES: ChannelType[] = ['telegram', 'avito'];

/** One body for both kinds, so validation can name the field that is missing for the chosen type. */
export class CreateChannelDto {
  @ApiProperty({ enum: CHANNEL_TYPES, enumName: 'ChannelType' })
  @IsIn(CHANNEL_TYPES, { message: 'type must be "telegram" or "avito"' })
  type: ChannelType;

  @ApiProperty({ minLength: 1, maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name: string;

  @ApiPropertyOptional({ description: 'telegram: the bot token from @BotFather' })
  @ValidateIf((o: CreateChannelDto) => o.type === 'telegram')
  @IsString({ message: 'botToken is required for a Telegram channel' })
  @MinLength(1, { message: 'botToken is required for a Telegram channel' })
  @MaxLength(256)
  botToken?: string;

  @ApiPropertyOptional({ description: 'avito: client_id of the account' })
  @ValidateIf((o: CreateChannelDto) => o.type === 'avito')
  @IsString({ message: 'clientId is required for an Avito channel' })
  @MinLength(1, { message: 'clientId is required for an Avito channel' })
  @MaxLength(256)
  clientId?: string;

  @ApiPropertyOptional({ description: 'avito: client_secret of the account' })
  @ValidateIf((o: CreateChannelDto) => o.type === 'avito')
  @IsString({ message: 'clientSecret is required for an Avito channel' })
  @MinLength(1, { message: 'clientSecret is required for an Avito channel' })
  @MaxLength(256)
  clientSecret?: string;

  @ApiPropertyOptional({ description: 'telegram: this bot sends operators their alert cards (see /users/me/alert-settings)' })
  @IsOptional()
  @IsBoolean({ message: 'operatorAlerts must be true or false' })
  operatorAlerts?: boolean;
}

/** Rename, or replace the credentials (validated again, and the webhook registered again). */
export class UpdateChannelDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 128 })
  @ValidateIf((o: UpdateChannelDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name?: string;

  @ApiPropertyOptional({ description: 'telegram: a new bot token' })
  @ValidateIf((o: UpdateChannelDto) => o.botToken !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  botToken?: string;

  @ApiPropertyOptional({ description: 'avito: a new client_id (send with clientSecret)' })
  @ValidateIf((o: UpdateChannelDto) => o.clientId !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  clientId?: string;

  @ApiPropertyOptional({ description: 'avito: a new client_secret' })
  @ValidateIf((o: UpdateChannelDto) => o.clientSecret !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  clientSecret?: string;

  @ApiPropertyOptional({ description: 'Give each new or reopened thread to the online operator of the channel with the fewest open threads' })
  @IsOptional()
  @IsBoolean({ message: 'autoAssign must be true or false' })
  autoAssign?: boolean;

  @ApiPropertyOptional({ description: 'telegram: this bot sends operators their alert cards (see /users/me/alert-settings)' })
  @IsOptional()
  @IsBoolean({ message: 'operatorAlerts must be true or false' })
  operatorAlerts?: boolean;
}

export class SetChannelOperatorsDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Everyone who works the channel (admins always may)' })
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique({ message: 'userIds must not repeat an id' })
  @IsUUID('all', { each: true, message: 'each value in userIds must be a UUID' })
  userIds: string[];
}

export class ChannelCapabilitiesDto {
  @ApiProperty({ description: 'Longest text one message may carry' })
  maxTextLength: number;

  @ApiProperty({ enum: ['any', 'images'] })
  attachments: 'any' | 'images';

  @ApiProperty({ description: 'Whether a sent message can be edited' })
  canEdit: boolean;

  @ApiProperty({ description: 'How long after sending a message can still be deleted' })
  deleteWindowSeconds: number;
}

export class ChannelResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: CHANNEL_TYPES, enumName: 'ChannelType' })
  type: ChannelType;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: CHANNEL_STATUSES, enumName: 'ChannelStatus' })
  status: ChannelStatus;

  @ApiProperty({ nullable: true, type: String, description: 'The bot id or the Avito account id' })
  externalAccountId: string | null;

  @ApiProperty({ type: ChannelCapabilitiesDto })
  capabilities: ChannelCapabilitiesDto;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Who works the channel' })
  operatorIds: string[];

  @ApiProperty({ description: 'New and reopened threads go to the online operator with the fewest open threads' })
  autoAssign: boolean;

  @ApiProperty({ description: 'This Telegram bot sends operators their alert cards' })
  operatorAlerts: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ChannelListResponseDto {
  @ApiProperty({ type: [ChannelResponseDto] })
  items: ChannelResponseDto[];
}

export class SyncAcceptedDto {
  @ApiProperty({ description: 'Reconciliation was queued' })
  queued: boolean;
}

/** Never carries credentials or the webhook secret: only what operators and admins may see. */
export const toChannelResponse = (channel: ChannelRow, operatorIds: string[]): ChannelResponseDto => ({
  id: channel.id,
  type: channel.type,
  name: channel.name,
  status: channel.status,
  externalAccountId: channel.externalAccountId,
  capabilities: { ...CHANNEL_CAPABILITIES[channel.type] },
  operatorIds,
  autoAssign: channel.settings?.autoAssign === true,
  operatorAlerts: channel.settings?.operatorAlerts === true,
  createdAt: new Date(channel.createdAt).toISOString(),
  updatedAt: new Date(channel.updatedAt).toISOString(),
});

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CHANNEL_CAPABILITIES, CHANNEL_STATUSES, type ChannelRow, type ChannelStatus, type ChannelType, type WebChannelSettings } from '@/modules/bridge/models/channel.model';


export const CHANNEL_TYPES: ChannelType[] = ['telegram', 'avito', 'web'];

/** An origin as a browser sends it in `Origin`: scheme, host and an optional port, nothing after. */
export const ORIGIN_PATTERN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;
const MAX_ORIGINS = 50;

export class WidgetThemeDto {
  @ApiPropertyOptional({ description: 'Accent colour of the launcher and the panel, #rrggbb', example: '#2563eb' })
  @IsOptional()
  @Matches(/^#[0-9a-f]{6}$/i, { message: 'theme.color must be a colour like #2563eb' })
  color?: string;

  @ApiPropertyOptional({ enum: ['left', 'right'], description: 'Corner of the page the launcher sits in' })
  @IsOptional()
  @IsIn(['left', 'right'], { message: 'theme.position must be "left" or "right"' })
  position?: 'left' | 'right';
}

/** The part of a channel body that only a web channel takes. */
abstract class WebChannelFields {
  @ApiPropertyOptional({ maxLength: 500, description: 'web: the first words the widget shows a visitor' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  greeting?: string;

  @ApiPropertyOptional({ type: WidgetThemeDto, description: 'web: how the widget looks' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WidgetThemeDto)
  theme?: WidgetThemeDto;
}

const AllowedOrigins = (required: (o: { type?: string; allowedOrigins?: unknown }) => boolean) => (target: object, key: string) => {
  ValidateIf(required)(target, key);
  IsArray({ message: 'allowedOrigins must be a list of origins like https://shop.example' })(target, key);
  ArrayMinSize(1, { message: 'allowedOrigins must name at least one origin' })(target, key);
  ArrayMaxSize(MAX_ORIGINS)(target, key);
  Matches(ORIGIN_PATTERN, { each: true, message: 'each value in allowedOrigins must be an origin like https://shop.example (scheme, host, optional port; no path)' })(target, key);
};

/** One body for every kind, so validation can name the field that is missing for the chosen type. */
export class CreateChannelDto extends WebChannelFields {
  @ApiPropertyOptional({ type: [String], description: 'web (required): origins whose pages may embed the widget', example: ['https://shop.example'] })
  @AllowedOrigins((o) => o.type === 'web')
  allowedOrigins?: string[];

  @ApiProperty({ enum: CHANNEL_TYPES, enumName: 'ChannelType' })
  @IsIn(CHANNEL_TYPES, { message: 'type must be "telegram", "avito" or "web"' })
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
}

/** Rename, or replace the credentials (validated again, and the webhook registered again); web channels: origins, greeting, theme. */
export class UpdateChannelDto extends WebChannelFields {
  @ApiPropertyOptional({ type: [String], description: 'web: origins whose pages may embed the widget', example: ['https://shop.example'] })
  @AllowedOrigins((o) => o.allowedOrigins !== undefined)
  allowedOrigins?: string[];

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

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiPropertyOptional({ type: [String], description: 'web: origins whose pages may embed the widget' })
  allowedOrigins?: string[];

  @ApiPropertyOptional({ nullable: true, type: String, description: 'web: the greeting the widget shows' })
  greeting?: string | null;

  @ApiPropertyOptional({ type: WidgetThemeDto, nullable: true })
  theme?: WidgetThemeDto | null;

  @ApiPropertyOptional({ description: 'web: the tag to paste into the site\'s pages', example: '<script src="https://chat.example/widget.js" data-channel="…" async></script>' })
  embedSnippet?: string;
}

export class ChannelListResponseDto {
  @ApiProperty({ type: [ChannelResponseDto] })
  items: ChannelResponseDto[];
}

export class SyncAcceptedDto {
  @ApiProperty({ description: 'Reconciliation was queued' })
  queued: boolean;
}

export const webSettingsOf = (channel: Pick<ChannelRow, 'settings'>): WebChannelSettings => {
  const s = channel.settings as Partial<WebChannelSettings>;
  return { allowedOrigins: Array.isArray(s.allowedOrigins) ? s.allowedOrigins : [], greeting: s.greeting ?? null, theme: s.theme ?? null };
};

/** The tag a site pastes into its pages; the script finds its channel in `data-channel`. */
export const embedSnippetOf = (publicUrl: string, channelId: string) => `<script src="${publicUrl}/widget.js" data-channel="${channelId}" async></script>`;

/** Never carries credentials or the webhook secret: only what operators and admins may see. */
export const toChannelResponse = (channel: ChannelRow, operatorIds: string[], publicUrl?: string | null): ChannelResponseDto => ({
  id: channel.id,
  type: channel.type,
  name: channel.name,
  status: channel.status,
  externalAccountId: channel.externalAccountId,
  capabilities: { ...CHANNEL_CAPABILITIES[channel.type] },
  operatorIds,
  autoAssign: channel.settings?.autoAssign === true,
  createdAt: new Date(channel.createdAt).toISOString(),
  updatedAt: new Date(channel.updatedAt).toISOString(),
  ...(channel.type === 'web' ? { ...webSettingsOf(channel), ...(publicUrl ? { embedSnippet: embedSnippetOf(publicUrl, channel.id) } : {}) } : {}),
});

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  AI_MODES,
  type AiMode,
  CHANNEL_CAPABILITIES,
  CHANNEL_STATUSES,
  type ChannelAiSettings,
  type ChannelRow,
  type ChannelStatus,
  type ChannelType,
  type WebChannelSettings,
  DEFAULT_AGENT_NAME,
  DEFAULT_HANDOFF_KEYWORDS,
} from '@/modules/bridge/models/channel.model';

/**
 * The channel's AI agent. On create and on PATCH the fields given are laid over the stored ones; once enabled,
 * model, systemPrompt and fallbackText must be set. The provider and its key are the server's (AI_BASE_URL, AI_API_KEY).
 */
export class ChannelAiDto {
  @ApiPropertyOptional({ description: 'The agent answers (or drafts) in new threads of the channel' })
  @IsOptional()
  @IsBoolean({ message: 'ai.enabled must be true or false' })
  enabled?: boolean;

  @ApiPropertyOptional({ enum: AI_MODES, enumName: 'AiMode', description: 'auto: answers the customer; draft: offers its answer to the operators, never sends it' })
  @IsOptional()
  @IsIn(AI_MODES, { message: 'ai.mode must be "auto" or "draft"' })
  mode?: AiMode;

  @ApiPropertyOptional({ maxLength: 200, description: 'The model id at the provider' })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'ai.model must not be empty' })
  @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({ maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  systemPrompt?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @IsOptional()
  @IsNumber({}, { message: 'ai.temperature must be a number' })
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ type: [String], description: `Customer words that ask for a person; default ${DEFAULT_HANDOFF_KEYWORDS.map((k) => `"${k}"`).join(', ')}` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true, message: 'each of ai.handoffKeywords must not be empty' })
  @MaxLength(100, { each: true })
  handoffKeywords?: string[];

  @ApiPropertyOptional({ maxLength: 1000, description: 'Sent when the model fails or is too slow, before the thread goes to people' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  fallbackText?: string;

  @ApiPropertyOptional({ maxLength: 128, description: `The name the agent's messages show; default "${DEFAULT_AGENT_NAME}"` })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  agentName?: string;
}

export class ChannelAiResponseDto {
  @ApiProperty()
  enabled: boolean;

  @ApiProperty({ enum: AI_MODES, enumName: 'AiMode' })
  mode: AiMode;

  @ApiProperty()
  model: string;

  @ApiProperty()
  systemPrompt: string;

  @ApiPropertyOptional()
  temperature?: number;

  @ApiProperty({ type: [String], description: 'The words in effect (the defaults when none were set)' })
  handoffKeywords: string[];

  @ApiProperty()
  fallbackText: string;

  @ApiProperty()
  agentName: string;
}


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

  @ApiPropertyOptional({ description: 'telegram: this bot sends operators their alert cards (see /users/me/alert-settings)' })
  @IsOptional()
  @IsBoolean({ message: 'operatorAlerts must be true or false' })
  operatorAlerts?: boolean;
  @ApiPropertyOptional({ type: ChannelAiDto })
  @IsOptional()
  @IsObject({ message: 'ai must be an object' })
  @ValidateNested()
  @Type(() => ChannelAiDto)
  ai?: ChannelAiDto;
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

  @ApiPropertyOptional({ description: 'telegram: this bot sends operators their alert cards (see /users/me/alert-settings)' })
  @IsOptional()
  @IsBoolean({ message: 'operatorAlerts must be true or false' })
  operatorAlerts?: boolean;
  @ApiPropertyOptional({ type: ChannelAiDto, description: 'The fields given replace the stored ones' })
  @IsOptional()
  @IsObject({ message: 'ai must be an object' })
  @ValidateNested()
  @Type(() => ChannelAiDto)
  ai?: ChannelAiDto;
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
  @ApiProperty({ type: ChannelAiResponseDto, nullable: true, description: 'The AI agent; null when never set up' })
  ai: ChannelAiResponseDto | null;

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
  operatorAlerts: channel.settings?.operatorAlerts === true,
  ai: channel.ai ? toChannelAiResponse(channel.ai) : null,
  createdAt: new Date(channel.createdAt).toISOString(),
  updatedAt: new Date(channel.updatedAt).toISOString(),
  ...(channel.type === 'web' ? { ...webSettingsOf(channel), ...(publicUrl ? { embedSnippet: embedSnippetOf(publicUrl, channel.id) } : {}) } : {}),
});

export const toChannelAiResponse = (ai: ChannelAiSettings): ChannelAiResponseDto => ({
  enabled: ai.enabled,
  mode: ai.mode,
  model: ai.model,
  systemPrompt: ai.systemPrompt,
  ...(ai.temperature !== undefined ? { temperature: ai.temperature } : {}),
  handoffKeywords: ai.handoffKeywords ?? DEFAULT_HANDOFF_KEYWORDS,
  fallbackText: ai.fallbackText,
  agentName: ai.agentName ?? DEFAULT_AGENT_NAME,
});

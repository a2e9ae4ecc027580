import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import type { DeliveryState } from '@/core/message-hooks';
import { API_KEY_SCOPES, type ApiKeyRow, type ApiKeyScope } from '@/modules/bridge/models/api-key.model';
import type { DeliveryPolicy } from '@/modules/bridge/models/delivery.model';
import type { NotificationRow } from '@/modules/bridge/models/notification.model';

export type { ApiKeyContext } from '@/modules/bridge/models/api-key.model';

export const NOTIFICATION_STATUSES: DeliveryState[] = ['queued', 'sending', 'sent', 'failed', 'blocked', 'unknown'];
export const DELIVERY_POLICIES: DeliveryPolicy[] = ['at-most-once', 'at-least-once'];
export const NOTIFICATION_PAGE_DEFAULT = 50;

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, enumName: 'ApiKeyScope', isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true, message: `scopes must be among: ${API_KEY_SCOPES.join(', ')}` })
  scopes: ApiKeyScope[];
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The first characters of the key, to recognise it by' }) prefix: string;
  @ApiProperty({ enum: API_KEY_SCOPES, enumName: 'ApiKeyScope', isArray: true }) scopes: ApiKeyScope[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The key itself: shown this once, stored only as a hash' }) key: string;
}

export class ApiKeyListResponseDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) items: ApiKeyResponseDto[];
}

export const toApiKeyResponse = (k: ApiKeyRow): ApiKeyResponseDto => ({
  id: k.id,
  name: k.name,
  prefix: k.keyPrefix,
  scopes: k.scopes,
  createdAt: new Date(k.createdAt).toISOString(),
  lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt).toISOString() : null,
  revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
});

export class CreateNotificationDto {
  @ApiProperty({ minLength: 1, maxLength: 128, description: 'Unique per API key; the same key with the same body returns the first notification' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  idempotencyKey: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'channelId must be a UUID' })
  channelId: string;

  @ApiPropertyOptional({ description: "The provider's chat id (a Telegram user or group id); give this or contactId" })
  @ValidateIf((o: CreateNotificationDto) => o.contactId === undefined || o.chatId !== undefined)
  @IsString({ message: 'chatId or contactId is required' })
  @Matches(/^\S{1,128}$/, { message: 'chatId must be 1-128 characters without spaces' })
  chatId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A contact of the channel; give this or chatId' })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be a UUID' })
  contactId?: string;

  @ApiProperty({ minLength: 1, maxLength: 4096 })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  text: string;

  @ApiPropertyOptional({ enum: DELIVERY_POLICIES, enumName: 'DeliveryPolicy', default: 'at-most-once' })
  @IsOptional()
  @IsIn(DELIVERY_POLICIES, { message: 'policy must be "at-most-once" or "at-least-once"' })
  policy?: DeliveryPolicy;
}

export class NotificationErrorDto {
  @ApiProperty() code: string;
  @ApiProperty() message: string;
}

export class NotificationResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES, enumName: 'NotificationStatus' }) status: DeliveryState;
  @ApiProperty({ enum: DELIVERY_POLICIES, enumName: 'DeliveryPolicy' }) policy: DeliveryPolicy;
  @ApiProperty({ format: 'uuid' }) channelId: string;
  @ApiProperty() chatId: string;
  @ApiProperty({ description: 'Calls made to the provider for it' }) attempts: number;
  @ApiPropertyOptional() telegramMessageId?: string;
  @ApiPropertyOptional({ type: NotificationErrorDto }) error?: NotificationErrorDto;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ format: 'date-time' }) sentAt?: string;
}

export class NotificationAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES, enumName: 'NotificationStatus', description: '"queued" when accepted now; the current status for a repeat' })
  status: DeliveryState;
}

export class NotificationListQueryDto {
  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES, enumName: 'NotificationStatus' })
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES, { message: `status must be one of ${NOTIFICATION_STATUSES.join(', ')}` })
  status?: DeliveryState;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: NOTIFICATION_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class NotificationListResponseDto {
  @ApiProperty({ type: [NotificationResponseDto] }) items: NotificationResponseDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}

export const toNotificationResponse = (n: NotificationRow): NotificationResponseDto => ({
  id: n.id,
  status: n.state,
  policy: n.policy,
  channelId: n.channelId,
  chatId: n.externalChatId,
  attempts: n.attempts,
  ...(n.externalId ? { telegramMessageId: n.externalId } : {}),
  ...(n.errorCode && n.state !== 'sent' ? { error: { code: n.errorCode, message: n.errorMessage ?? '' } } : {}),
  createdAt: new Date(n.createdAt).toISOString(),
  ...(n.sentAt ? { sentAt: new Date(n.sentAt).toISOString() } : {}),
});

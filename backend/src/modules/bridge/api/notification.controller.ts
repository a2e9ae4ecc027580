import { Body, Controller, Delete, Get, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, Authenticated, Public } from '@/api/auth.guard';
import { UuidParam } from '@/api/params';
import type { AuthContext } from '@/core/auth';
import type { ApiKeyContext } from '@/modules/bridge/schemas/notification.dto';
import {
  ApiKeyListResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  CreateNotificationDto,
  NotificationAcceptedDto,
  NotificationListQueryDto,
  NotificationListResponseDto,
  NotificationResponseDto,
} from '@/modules/bridge/schemas/notification.dto';
import { ApiKeyService } from '@/modules/bridge/services/api-key.service';
import { NotificationService } from '@/modules/bridge/services/notification.service';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { ApiKey, NotificationsKeyGuard } from './api-key.guard';

@ApiTags('api-keys')
@Authenticated()
@ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
@Controller('api-keys')
export class ApiKeyController {
  constructor(private readonly service: ApiKeyService) {}

  @Post()
  @ApiOperation({ operationId: 'createApiKey', summary: 'Admins: a key for another system; the key is in this answer only' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  create(@Auth() auth: AuthContext, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    return this.service.create(auth, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: 'Admins: every key (never the key itself)' })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  list(@Auth() auth: AuthContext): Promise<ApiKeyListResponseDto> {
    return this.service.list(auth);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Admins: revoke a key; requests with it get 401 from now on' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  revoke(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<void> {
    return this.service.revoke(auth, id);
  }
}

@ApiTags('notifications')
@Public()
@UseGuards(NotificationsKeyGuard)
@ApiSecurity('apiKey')
@ApiHeader({ name: 'X-Api-Key', required: false, description: 'The API key (or send it as Authorization: Bearer <key>)' })
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, unknown or revoked API key, or one without notifications:send' })
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('notifications')
export class NotificationController {
  constructor(private readonly service: NotificationService) {}

  @Post()
  @ApiOperation({ operationId: 'sendNotification', summary: 'Send a message through a channel, effectively once per idempotencyKey' })
  @ApiAcceptedResponse({ type: NotificationAcceptedDto, description: 'Accepted now' })
  @ApiOkResponse({ type: NotificationAcceptedDto, description: 'This idempotencyKey with this same body was accepted before: the same notification' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'IDEMPOTENCY_CONFLICT: this idempotencyKey came before with a different body' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such channel or contact' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'CHANNEL_LIMIT: the text is longer than the channel takes' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Over the per-key limit; see Retry-After' })
  async create(@ApiKey() key: ApiKeyContext, @Body() dto: CreateNotificationDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<NotificationAcceptedDto> {
    const { created, body } = await this.service.create(key, dto);
    void reply.status(created ? 202 : 200);
    return body;
  }

  @Get()
  @ApiOperation({ operationId: 'listNotifications', summary: "This key's notifications, newest first" })
  @ApiOkResponse({ type: NotificationListResponseDto })
  list(@ApiKey() key: ApiKeyContext, @Query() query: NotificationListQueryDto): Promise<NotificationListResponseDto> {
    return this.service.list(key, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getNotification' })
  @ApiOkResponse({ type: NotificationResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@ApiKey() key: ApiKeyContext, @UuidParam('id') id: string): Promise<NotificationResponseDto> {
    return this.service.get(key, id);
  }
}

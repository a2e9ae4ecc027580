import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from '@/api/auth.guard';
import { WebhookAckDto } from '@/modules/bridge/schemas/webhook.dto';
import { WebhookService } from '@/modules/bridge/services/webhook.service';
import { ErrorResponseDto } from '@/schemas/common.dto';

/** Called by Telegram and Avito. The body reaches here unparsed (see webhook-body.ts) so nothing is read before the secret matched. */
@ApiTags('webhooks')
@Public()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Unknown channel, missing or wrong secret; nothing was stored' })
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The body is not JSON; nothing was stored' })
@Controller('webhooks')
export class WebhookController {
  constructor(private readonly service: WebhookService) {}

  @Post('telegram/:channelId')
  @HttpCode(200)
  @ApiOperation({ operationId: 'telegramWebhook', summary: 'Telegram updates for a bot channel (X-Telegram-Bot-Api-Secret-Token required)' })
  @ApiBody({ schema: { type: 'object', description: 'A Telegram Update' } })
  @ApiOkResponse({ type: WebhookAckDto, description: 'Stored (or already stored)' })
  async telegram(
    @Param('channelId') channelId: string,
    @Headers('x-telegram-bot-api-secret-token') secret: string | undefined,
    @Body() body: unknown,
  ): Promise<WebhookAckDto> {
    await this.service.telegram(channelId, secret, body);
    return { ok: true };
  }

  @Post('avito/:channelId/:secret')
  @HttpCode(200)
  @ApiOperation({ operationId: 'avitoWebhook', summary: 'Avito messenger events for an account channel (the path secret authenticates)' })
  @ApiBody({ schema: { type: 'object', description: 'An Avito webhook delivery {id, version, timestamp, payload}' } })
  @ApiOkResponse({ type: WebhookAckDto, description: 'Stored (or already stored)' })
  async avito(
    @Param('channelId') channelId: string,
    @Param('secret') secret: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Body() body: unknown,
  ): Promise<WebhookAckDto> {
    await this.service.avito(channelId, secret, body, headers);
    return { ok: true };
  }
}

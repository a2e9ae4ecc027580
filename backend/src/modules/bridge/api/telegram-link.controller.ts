import { Body, Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Auth, Authenticated, Public } from '@/api/auth.guard';
import { setMediaCookie } from '@/api/media-cookie';
import { setRefreshCookie } from '@/api/refresh-cookie';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext } from '@/core/auth';
import { CreateTelegramLinkDto, TelegramLinkCodeDto, TelegramSignInDto } from '@/modules/bridge/schemas/telegram-link.dto';
import { TelegramLinkService } from '@/modules/bridge/services/telegram-link.service';
import { AuthResponseDto } from '@/schemas/auth.dto';
import { ErrorResponseDto } from '@/schemas/common.dto';

@ApiTags('users')
@Authenticated()
@Controller('users/me/telegram-link')
export class TelegramLinkController {
  constructor(private readonly service: TelegramLinkService) {}

  @Post()
  @ApiOperation({ operationId: 'createTelegramLink', summary: "A single-use /start link (ten minutes) that links your Telegram account through the channel's bot" })
  @ApiCreatedResponse({ type: TelegramLinkCodeDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such channel, or you do not work it' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'Not a Telegram channel' })
  create(@Auth() auth: AuthContext, @Body() dto: CreateTelegramLinkDto): Promise<TelegramLinkCodeDto> {
    return this.service.createLink(auth, dto.channelId);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteTelegramLink', summary: 'Unlink your Telegram account' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No Telegram account is linked' })
  remove(@Auth() auth: AuthContext): Promise<void> {
    return this.service.unlink(auth);
  }
}

@ApiTags('auth')
@Controller('auth/telegram')
export class TelegramAuthController {
  constructor(
    private readonly service: TelegramLinkService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ operationId: 'signInWithTelegram', summary: 'Mini App sign-in with Telegram initData (as login: the same body and refresh cookie)' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'INIT_DATA_EXPIRED, INIT_DATA_BAD_SIGNATURE or TELEGRAM_NOT_LINKED' })
  async signIn(@Body() dto: TelegramSignInDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AuthResponseDto> {
    const auth = await this.service.signIn(dto);
    setRefreshCookie(request, reply, auth.refreshToken, this.config.auth.refreshTtlSeconds);
    setMediaCookie(request, reply, this.service.mediaToken(auth.accessToken));
    return auth;
  }
}

import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientInfo } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { unauthorized } from '@/core/errors';
import { AuthResponseDto, LoginDto, LogoutDto, RefreshDto, RegisterDto, SessionResponseDto } from '@/schemas/auth.dto';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { AuthService } from '@/services/auth.service';
import { Client, Public } from './auth.guard';
import { clearMediaCookie, setMediaCookie } from './media-cookie';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie';
import { Exchange, type HttpExchange } from './reply';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly service: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('register')
  @ApiOperation({ operationId: 'register', summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'E-mail or username taken' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  register(@Body() dto: RegisterDto, @Client() client: ClientInfo, @Exchange() http: HttpExchange): Promise<AuthResponseDto> {
    return this.signIn(http, this.service.register(dto, client));
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ operationId: 'login', summary: 'Sign in with e-mail or username' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  login(@Body() dto: LoginDto, @Client() client: ClientInfo, @Exchange() http: HttpExchange): Promise<AuthResponseDto> {
    return this.signIn(http, this.service.login(dto, client));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ operationId: 'refresh', summary: 'Spend a refresh token for a new token pair' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Unknown, expired or already spent (the family is then revoked)' })
  refresh(@Body() dto: RefreshDto): Promise<AuthResponseDto> {
    return this.service.refresh(dto.refreshToken);
  }

  @Post('session')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'restoreSession',
    summary: 'Browser sign-in from the httpOnly refresh cookie; the rotated token is set as the new cookie, never returned',
  })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No cookie, or an unknown, expired or spent token' })
  async restoreSession(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionResponseDto> {
    const token = readRefreshCookie(request);
    if (!token) throw unauthorized('No session');
    try {
      const { refreshToken, ...session } = await this.service.refresh(token);
      setRefreshCookie(request, reply, refreshToken, this.config.auth.refreshTtlSeconds);
      setMediaCookie(request, reply, this.service.issueMediaToken(session.accessToken));
      return session;
    } catch (error) {
      clearRefreshCookie(request, reply);
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ operationId: 'logout', summary: 'Revoke a refresh token (from the body, else the cookie) and its family' })
  @ApiNoContentResponse()
  async logout(@Body() dto: LogoutDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const token = dto.refreshToken ?? readRefreshCookie(request);
    clearRefreshCookie(request, reply);
    clearMediaCookie(request, reply);
    if (token) await this.service.logout(token);
  }

  /** Register and login both sign the browser in: the refresh and media cookies go with the token pair. */
  private async signIn({ request, reply }: HttpExchange, pending: Promise<AuthResponseDto>): Promise<AuthResponseDto> {
    const auth = await pending;
    setRefreshCookie(request, reply, auth.refreshToken, this.config.auth.refreshTtlSeconds);
    setMediaCookie(request, reply, this.service.issueMediaToken(auth.accessToken));
    return auth;
  }
}

import { createParamDecorator, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JWT_ALGORITHM, jwtKey, type AccessTokenClaims, type AuthContext, type ClientInfo } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { unauthorized } from '@/core/errors';
import { AuthService } from '@/services/auth.service';

import { ErrorResponseDto } from '@/schemas/common.dto';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: jwtKey(config.auth.jwtSecret),
      // Pinned, so a token signed with "none" or an asymmetric algorithm is never accepted.
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /**
   * Only the signature and expiry are checked here: passport keeps one strategy per name for the whole process, so
   * the per-application lookups (user, sign-in) happen in JwtAuthGuard, which belongs to its application.
   */
  validate(claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}

const IS_PUBLIC = 'isPublic';

/** Global guard: every route needs a valid access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {
    super();
  }

  /** 401 also for a token without exp, with a non-UUID sub, for a deleted user or an ended sign-in. */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AccessTokenClaims | AuthContext }>();
    const caller = await this.auth.authenticateClaims(request.user as AccessTokenClaims);
    if (!caller) throw unauthorized('Missing or invalid access token');
    request.user = caller;
    return true;
  }
}

export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Marks a route as needing a bearer token in the spec; the global guard enforces it. */
export const Authenticated = () =>
  applyDecorators(ApiBearerAuth(), ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or invalid access token' }));

export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  return ctx.switchToHttp().getRequest<FastifyRequest & { user: AuthContext }>().user;
});

export const Client = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientInfo => {
  return { ip: ctx.switchToHttp().getRequest<FastifyRequest>().ip };
});

export { UseGuards };

import { createParamDecorator, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JWT_ALGORITHM, type AccessTokenClaims, type AuthContext, type ClientInfo } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { AuthService } from '@/services/auth.service';

import { ErrorResponseDto } from '@/schemas/common.dto';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      // Pinned, so a token signed with "none" or an asymmetric algorithm is never accepted.
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /** null (→ 401) for a token without exp, with a non-UUID sub, for a deleted user or an ended sign-in. */
  validate(claims: AccessTokenClaims): Promise<AuthContext | null> {
    return this.auth.authenticateClaims(claims);
  }
}

const IS_PUBLIC = 'isPublic';

/** Global guard: every route needs a valid access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
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

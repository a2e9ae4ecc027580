import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '@/core/auth';
import { unauthorized } from '@/core/errors';
import { AuthService } from '@/services/auth.service';
import { bearerToken } from './bearer';
import { MEDIA_COOKIE, readCookie } from './media-cookie';

/**
 * For routes a browser opens without script (<img src>, download links): a bearer token when there is one,
 * else the media cookie. Either way only the user id is established; access is decided per attachment.
 */
@Injectable()
export class MediaAuthGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthContext }>();
    if (request.headers.authorization) {
      const token = bearerToken(request.headers);
      const auth = token ? await this.auth.authenticate(token) : null;
      if (!auth) throw unauthorized('Missing or invalid access token');
      request.user = auth;
      return true;
    }
    const cookie = readCookie(request, MEDIA_COOKIE);
    const userId = cookie ? await this.auth.verifyMediaToken(cookie) : null;
    if (!userId) throw unauthorized('Sign in to see attachments');
    request.user = { userId, username: '', role: 'user' };
    return true;
  }
}

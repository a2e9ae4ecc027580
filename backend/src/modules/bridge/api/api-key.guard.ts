import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyContext } from '@/modules/bridge/schemas/notification.dto';
import { ApiKeyService } from '@/modules/bridge/services/api-key.service';

type KeyedRequest = FastifyRequest & { apiKey?: ApiKeyContext };

/** Routes for other systems: an API key with `notifications:send`, as `Authorization: Bearer <key>` or `X-Api-Key`. */
@Injectable()
export class NotificationsKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const header = request.headers['x-api-key'];
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const key = (Array.isArray(header) ? header[0] : header) ?? bearer;
    request.apiKey = await this.keys.authenticate(key, 'notifications:send');
    return true;
  }
}

export const ApiKey = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiKeyContext => ctx.switchToHttp().getRequest<KeyedRequest>().apiKey!);

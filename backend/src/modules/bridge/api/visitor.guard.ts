import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { bearerToken } from '@/api/bearer';
import { unauthorized } from '@/core/errors';
import type { VisitorClaims } from '@/modules/bridge/schemas/widget.dto';
import { WidgetService } from '@/modules/bridge/services/widget.service';

type VisitorRequest = FastifyRequest & { visitor?: VisitorClaims };

/** Widget routes (on @Public() routes, so the user guard stays out): a visitor token as `Authorization: Bearer`. */
@Injectable()
export class VisitorGuard implements CanActivate {
  constructor(private readonly widget: WidgetService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<VisitorRequest>();
    const token = bearerToken(request.headers);
    const visitor = token ? await this.widget.authenticate(token) : null;
    if (!visitor) throw unauthorized('A visitor token is required: open a widget session first');
    request.visitor = visitor;
    return true;
  }
}

export const Visitor = createParamDecorator((_: unknown, ctx: ExecutionContext): VisitorClaims => ctx.switchToHttp().getRequest<VisitorRequest>().visitor!);

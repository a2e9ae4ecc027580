import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Idempotent creates answer 201 for a new resource and 200 when the same request found the stored one. */
export function createdOrFound<T>(reply: FastifyReply, result: { created: boolean }, body: T): T {
  void reply.status(result.created ? 201 : 200);
  return body;
}

export interface HttpExchange {
  request: FastifyRequest;
  reply: FastifyReply;
}

/** The request and reply together, for handlers that set cookies but still return their body to Nest. */
export const Exchange = createParamDecorator((_: unknown, ctx: ExecutionContext): HttpExchange => {
  const http = ctx.switchToHttp();
  return { request: http.getRequest<FastifyRequest>(), reply: http.getResponse<FastifyReply>() };
});

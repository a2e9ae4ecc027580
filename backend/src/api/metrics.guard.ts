import { type CanActivate, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { notFound, unauthorized } from '@/core/errors';
import { bearerToken } from './bearer';

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * `/metrics` on the public port answers only to `Authorization: Bearer <METRICS_TOKEN>`; with METRICS_PORT set it
 * lives on that (loopback by default) port alone, and the public one does not have it.
 */
@Injectable()
export class MetricsGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const { token, port } = this.config.metrics;
    if (port > 0) throw notFound('Metrics');
    const given = bearerToken(context.switchToHttp().getRequest<FastifyRequest>().headers);
    if (!token) throw unauthorized('Metrics need METRICS_TOKEN (or METRICS_PORT) to be configured');
    if (!given || !sameSecret(given, token)) throw unauthorized('Metrics need Authorization: Bearer <METRICS_TOKEN>');
    return true;
  }
}

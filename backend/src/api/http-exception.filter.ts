import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException, ErrorCode, httpStatusOf } from '@/core/errors';

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  fields?: string[];
  limit?: string;
  repliedBy?: { userId: string; name: string };
  repliedAt?: string;
  correlationId?: string;
}

const codeForStatus = (status: number): ErrorCode =>
  ({
    400: ErrorCode.BadRequest,
    401: ErrorCode.Unauthorized,
    403: ErrorCode.Forbidden,
    404: ErrorCode.NotFound,
    409: ErrorCode.Conflict,
    413: ErrorCode.PayloadTooLarge,
    422: ErrorCode.Unprocessable,
    429: ErrorCode.RateLimited,
    503: ErrorCode.Unavailable,
  })[status] ?? (status < 500 ? ErrorCode.BadRequest : ErrorCode.Internal);

/** The single place where any error becomes an HTTP answer; internals never leave the process. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const body = this.toBody(exception, request);
    if (exception instanceof DomainException && exception.details?.retryAfterSeconds) {
      void reply.header('Retry-After', String(exception.details.retryAfterSeconds));
    }
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest): ErrorBody {
    if (exception instanceof DomainException) {
      const { fields, limit, repliedBy, repliedAt } = exception.details ?? {};
      return {
        statusCode: httpStatusOf(exception.code),
        code: exception.code,
        message: exception.message,
        fields,
        ...(limit ? { limit } : {}),
        ...(repliedBy ? { repliedBy, repliedAt } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? ((response as { message: string[] }).message).join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      if (status < 500) return { statusCode: status, code: codeForStatus(status), message };
    }
    // Errors raised by Fastify before routing (bad JSON, body too large, wrong content type) carry a 4xx statusCode.
    const status = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { statusCode: status, code: codeForStatus(status), message: (exception as Error).message };
    }
    const correlationId = String(request.id);
    this.logger.error({ err: exception, correlationId }, 'unhandled error');
    return { statusCode: 500, code: ErrorCode.Internal, message: 'Internal server error', correlationId };
  }
}

import { DomainException, ErrorCode, unavailable } from '@/core/errors';
import { isUnavailableError } from '@/core/unavailable';
import type { AckErrorDto } from '@/schemas/realtime.dto';

const INTERNAL = 'Internal server error';

/** The socket counterpart of the HTTP exception filter: every ErrorCode has its ack shape here, checked by the compiler. */
export function ackErrorOf(exception: DomainException): AckErrorDto {
  const { code, message, details } = exception;
  switch (code) {
    case ErrorCode.BadRequest:
    case ErrorCode.Validation:
    case ErrorCode.PayloadTooLarge:
    case ErrorCode.Unprocessable:
      return details?.fields ? { code, message, fields: details.fields } : { code, message };
    case ErrorCode.RateLimited:
      return { code, message, retryAfterSeconds: details?.retryAfterSeconds };
    case ErrorCode.ChannelLimit:
      return { code, message, limit: details?.limit, ...(details?.fields ? { fields: details.fields } : {}) };
    case ErrorCode.RepliedMeanwhile:
      return { code, message, repliedBy: details?.repliedBy, repliedAt: details?.repliedAt };
    case ErrorCode.Unauthorized:
    case ErrorCode.Forbidden:
    case ErrorCode.OriginNotAllowed:
    case ErrorCode.NotFound:
    case ErrorCode.Conflict:
    case ErrorCode.IdempotencyConflict:
    case ErrorCode.InitDataExpired:
    case ErrorCode.InitDataBadSignature:
    case ErrorCode.TelegramNotLinked:
    case ErrorCode.Unavailable:
      return { code, message };
    case ErrorCode.Internal:
      return { code, message: INTERNAL };
    default: {
      const unmapped: never = code;
      return { code: unmapped, message: INTERNAL };
    }
  }
}

/**
 * Maps anything a handler threw to an ack error. Unexpected errors never show internals: the client gets a
 * correlation id, and `report` gets the error with the same id for the log.
 */
export function toAckError(error: unknown, correlationId: string, report: (error: unknown, correlationId: string) => void): AckErrorDto {
  if (error instanceof DomainException && error.code !== ErrorCode.Internal) return ackErrorOf(error);
  if (isUnavailableError(error)) return ackErrorOf(unavailable());
  report(error, correlationId);
  return { code: ErrorCode.Internal, message: INTERNAL, correlationId };
}

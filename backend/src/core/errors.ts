/** Every failure a client may see has one of these codes; transports map them exhaustively (see api/ and ws/). */
export enum ErrorCode {
  BadRequest = 'BAD_REQUEST',
  Validation = 'VALIDATION_FAILED',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  RateLimited = 'RATE_LIMITED',
  /** The request is well-formed but cannot be done: bad provider credentials, missing PUBLIC_URL. */
  Unprocessable = 'UNPROCESSABLE',
  /** A channel (Telegram, Avito) cannot carry this message: too long, an attachment kind it refuses, an edit it cannot do. */
  ChannelLimit = 'CHANNEL_LIMIT',
  /** The same idempotency key came with a different request body. */
  IdempotencyConflict = 'IDEMPOTENCY_CONFLICT',
  /** Telegram Mini App sign-in: initData older than TELEGRAM_INITDATA_MAX_AGE_SECONDS. */
  InitDataExpired = 'INIT_DATA_EXPIRED',
  /** Telegram Mini App sign-in: initData whose hash or signature does not verify (tampered, another bot). */
  InitDataBadSignature = 'INIT_DATA_BAD_SIGNATURE',
  /** Telegram Mini App sign-in: the Telegram user is not linked to any account. */
  TelegramNotLinked = 'TELEGRAM_NOT_LINKED',
  /** Another operator replied in the thread after the sender opened it; sending again with `force: true` goes ahead. */
  RepliedMeanwhile = 'REPLIED_MEANWHILE',
  /** The website widget was loaded from an origin its web channel does not list in allowedOrigins. */
  OriginNotAllowed = 'ORIGIN_NOT_ALLOWED',
  Unavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL_ERROR',
}

export class DomainException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { retryAfterSeconds?: number; fields?: string[]; limit?: string; repliedBy?: { userId: string; name: string }; repliedAt?: string },
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

export const notFound = (what: string) => new DomainException(ErrorCode.NotFound, `${what} not found`);
export const forbidden = (why: string) => new DomainException(ErrorCode.Forbidden, why);
export const conflict = (why: string) => new DomainException(ErrorCode.Conflict, why);
export const badRequest = (why: string, fields?: string[]) =>
  new DomainException(ErrorCode.BadRequest, why, fields ? { fields } : undefined);
export const unauthorized = (why = 'Unauthorized') => new DomainException(ErrorCode.Unauthorized, why);
/** A dependency is down: the same request may succeed shortly, so clients retry (sends keep their clientId). */
export const unavailable = (why = 'a backing service is unavailable, retry shortly') =>
  new DomainException(ErrorCode.Unavailable, why, { retryAfterSeconds: 1 });
export const unprocessable = (why: string, fields?: string[]) =>
  new DomainException(ErrorCode.Unprocessable, why, fields ? { fields } : undefined);
export const rateLimited = (retryAfterSeconds: number) =>
  new DomainException(ErrorCode.RateLimited, 'Too many requests, try again later', { retryAfterSeconds });

/** `limit` is the capability's name as the channel API shows it (maxTextLength, attachments, canEdit). */
export const channelLimit = (limit: string, why: string, fields?: string[]) =>
  new DomainException(ErrorCode.ChannelLimit, `${why} (channel limit: ${limit})`, { limit, ...(fields ? { fields } : {}) });

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BadRequest:
    case ErrorCode.Validation:
      return 400;
    case ErrorCode.Unauthorized:
    case ErrorCode.InitDataExpired:
    case ErrorCode.InitDataBadSignature:
    case ErrorCode.TelegramNotLinked:
      return 401;
    case ErrorCode.Forbidden:
    case ErrorCode.OriginNotAllowed:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
    case ErrorCode.IdempotencyConflict:
    case ErrorCode.RepliedMeanwhile:
      return 409;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.Unprocessable:
    case ErrorCode.ChannelLimit:
      return 422;
    case ErrorCode.Unavailable:
      return 503;
    case ErrorCode.Internal:
      return 500;
  }
}

/** Who replied and when travel with the error, so a composer can ask "Anna replied 12 s ago — send anyway?". */
export const repliedMeanwhile = (repliedBy: { userId: string; name: string }, repliedAt: Date) =>
  new DomainException(
    ErrorCode.RepliedMeanwhile,
    `${repliedBy.name} replied ${Math.max(0, Math.round((Date.now() - repliedAt.getTime()) / 1000))} s ago; send with force: true to send anyway`,
    { repliedBy, repliedAt: repliedAt.toISOString() },
  );

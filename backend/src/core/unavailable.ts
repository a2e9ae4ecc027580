// Failures that mean "a backing service is unreachable right now", by the codes and messages the pg and ioredis
// drivers use; a request that failed this way may succeed when repeated, so clients get a retryable answer.
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);
const NAMES = new Set(['MaxRetriesPerRequestError', 'JobQueueUnavailableError', 'RedisUnavailableError']);
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is closed',
  "Stream isn't writeable",
  'the database system is',
];

export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const { code, name, message, driverError, cause } = error as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && (PG_UNAVAILABLE.has(code) || NET_UNAVAILABLE.has(code))) return true;
  if (typeof name === 'string' && NAMES.has(name)) return true;
  if (typeof message === 'string' && MESSAGES.some((m) => message.includes(m))) return true;
  // TypeORM wraps the driver's error.
  return isUnavailableError(driverError, depth + 1) || isUnavailableError(cause, depth + 1);
}

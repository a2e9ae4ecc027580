export const WEBHOOK_PATH_PREFIX = '/api/v1/webhooks/';

/**
 * Webhook bodies reach their route as the raw string: the secret is checked before anything is parsed, and a body
 * that is not JSON (or past the JSON limits) is answered 400 only after that. app.ts's one JSON parser asks this.
 */
export const takesRawBody = (url: string): boolean => url.startsWith(WEBHOOK_PATH_PREFIX);

/** Avito's webhook secret travels in the path: request log lines carry the path with the secret cut out. */
export const redactWebhookUrl = (url: string): string => url.replace(/^(\/api\/v1\/webhooks\/avito\/[^/?]*\/)[^/?]+/, '$1[redacted]');

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export const WEBHOOK_PATH_PREFIX = '/api/v1/webhooks/';

/**
 * Webhook bodies are handed to the route as the raw string: the secret is checked before anything is parsed, and a
 * body that is not JSON is answered 400 only after that. Every other route keeps Fastify's own JSON parser.
 */
export function installWebhookBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const defaultParser = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (request.url.startsWith(WEBHOOK_PATH_PREFIX)) {
      done(null, body);
      return;
    }
    defaultParser(request, body as string, done);
  });
}

/** Avito's webhook secret travels in the path: request log lines carry the path with the secret cut out. */
export const redactWebhookUrl = (url: string): string => url.replace(/^(\/api\/v1\/webhooks\/avito\/[^/?]*\/)[^/?]+/, '$1[redacted]');

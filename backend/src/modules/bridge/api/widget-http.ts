import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, readFileSync } from 'node:fs';

const WIDGET_ROUTES = /^\/api\/v1\/widget\//;
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * The widget runs on other sites, so its routes answer cross-origin. Any origin may ask: the allowed origins are
 * checked per channel when a session opens (403 ORIGIN_NOT_ALLOWED), visitor tokens travel in a header (never a
 * cookie), and a token only ever reaches its own thread. Everything else keeps the same-origin default.
 *
 * `/widget.js` is the widget's own bundle, served from `scriptPath` (built by the frontend package) with a short
 * cache, so a new release reaches sites within minutes without a versioned URL in their snippet.
 */
export function mountWidgetHttp(app: NestFastifyApplication, scriptPath: string): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    if (!WIDGET_ROUTES.test(request.url)) return;
    const origin = request.headers.origin;
    if (!origin) return;
    void reply.header('Access-Control-Allow-Origin', origin);
    void reply.header('Vary', 'Origin');
    // The widget waits as long as a 429 says; the header is hidden from cross-origin scripts unless exposed.
    void reply.header('Access-Control-Expose-Headers', 'Retry-After');
    if (request.method !== 'OPTIONS') return;
    void reply
      .header('Access-Control-Allow-Methods', 'GET, POST, PATCH')
      .header('Access-Control-Allow-Headers', 'Authorization, Content-Type')
      .header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS))
      .code(204)
      .send();
    return reply;
  });

  let script: Buffer | null = null;
  fastify.get('/widget.js', (_request, reply) => {
    if (!script && existsSync(scriptPath)) script = readFileSync(scriptPath);
    if (!script) return reply.code(404).type('text/plain').send('widget.js is not built: run pnpm build');
    return reply
      .type('text/javascript; charset=utf-8')
      .header('Cache-Control', 'public, max-age=300')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Access-Control-Allow-Origin', '*')
      .send(script);
  });
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The page loads only its own scripts: no inline or injected script can run even if text slipped through as HTML.
 * `storageOrigin` is object storage, which receives uploads and serves attachments straight to the browser.
 */
export const contentSecurityPolicy = (storageOrigin = '') => [
  "default-src 'self'",
  "script-src 'self'",
  // 'self' covers the same-origin socket.io websocket (CSP 3); any other ws: or wss: host stays closed.
  `connect-src 'self' ${storageOrigin}`.trim(),
  `img-src 'self' data: blob: ${storageOrigin}`.trim(),
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self' https://web.telegram.org",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';
// Paths the SPA must never shadow: unknown routes there stay JSON 404s.
const SERVER_PATHS = /^\/(api|socket\.io|health|metrics)(\/|\?|$)/;

/**
 * Serves the built SPA from `root`: hashed assets cached for a year, index.html revalidated on every load,
 * and any other GET that asks for HTML answered with index.html so client-side routes survive a reload.
 */
export function serveSpa(app: NestFastifyApplication, root: string, storageOrigin?: string): void {
  const csp = contentSecurityPolicy(storageOrigin);
  const indexHtml = readFileSync(join(root, 'index.html'));
  const assetsDir = `${sep}assets${sep}`;
  app.useStaticAssets({
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    setHeaders: (res, path) => {
      // @fastify/static 10 hands over the Fastify reply at run time, although its types name a raw response.
      const target = res as unknown as { header?: (n: string, v: string) => void; setHeader?: (n: string, v: string) => void };
      const value = path.includes(assetsDir) ? IMMUTABLE : 'no-cache';
      if (target.header) target.header('Cache-Control', value);
      else target.setHeader?.('Cache-Control', value);
    },
  });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) void reply.header('Content-Security-Policy', csp);
    return payload;
  });
  fastify.get('/*', (request, reply) => {
    if (SERVER_PATHS.test(request.url) || !(request.headers.accept ?? '').includes('text/html')) return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(indexHtml);
  });
}

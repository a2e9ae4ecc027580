import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { ATTACHMENT_PATH } from '@/schemas/attachment.dto';

/**
 * Carries the signed media token to the attachment routes only: httpOnly so scripts never read it,
 * SameSite=Strict so no other site can make the browser use it.
 */
export const MEDIA_COOKIE = 'msg_media';

export function readCookie(request: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Secure over https, and always in production (set by app.ts on every request), where TLS may end at a proxy. */
export const isSecure = (request: FastifyRequest) => request.protocol === 'https' || (request as { secureCookies?: boolean }).secureCookies === true;

export function cookieHeader(request: FastifyRequest, name: string, value: string, path: string, maxAgeSeconds: number): string {
  const secure = isSecure(request) ? '; Secure' : '';
  return `${name}=${encodeURIComponent(value)}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

export function setMediaCookie(request: FastifyRequest, reply: FastifyReply, media: { token: string; maxAgeSeconds: number }): void {
  void reply.header('Set-Cookie', cookieHeader(request, MEDIA_COOKIE, media.token, ATTACHMENT_PATH, media.maxAgeSeconds));
}

export function clearMediaCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('Set-Cookie', cookieHeader(request, MEDIA_COOKIE, '', ATTACHMENT_PATH, 0));
}

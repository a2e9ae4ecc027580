import { createSecretKey, type KeyObject } from 'node:crypto';

/** Roles are part of who is calling, so they live here; the users table stores them as these strings. */
export const USER_ROLES = ['user', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Who is calling, as proven by a verified access token; every service method takes it first. */
export interface AuthContext {
  userId: string;
  username: string;
  role: UserRole;
  /** When the access token that proved it expires (epoch seconds); absent for the media cookie. */
  expiresAt?: number;
  /** The refresh family (one sign-in) the token belongs to; logout or revocation of it ends sockets and media access. */
  sessionId?: string;
}

export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: UserRole;
  /** Set by the signer; verification refuses a token without it. */
  exp?: number;
  /** The refresh family id of the sign-in that issued the token. */
  sid?: string;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How long a user's row and a family's liveness are trusted without asking the database again. */
export const AUTH_CACHE_MS = 30_000;

/** Network facts a service needs for per-IP limits, kept free of any transport type. */
export interface ClientInfo {
  ip: string;
}

/** Access tokens are HS256 only; verification pins it so 'none' or an asymmetric algorithm is never accepted. */
export const JWT_ALGORITHM = 'HS256' as const;

/**
 * An HS256 secret as the key object jsonwebtoken signs and verifies with. Handed a string or a Buffer, jsonwebtoken
 * first tries to read it as a PEM key on every call and only falls back to a secret key when that throws, which was
 * a fifth of the API's CPU per authenticated request. @nestjs/jwt and passport-jwt type the secret as
 * `string | Buffer` but pass it to jsonwebtoken untouched, hence the cast.
 */
export function jwtKey(secret: string): string {
  const key: KeyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  return key as unknown as string;
}

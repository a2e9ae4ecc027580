import type { UserRole } from '@/models/user.entity';

/** Who is calling, as proven by a verified access token; every service method takes it first. */
export interface AuthContext {
  userId: string;
  username: string;
  role: UserRole;
  /** When the access token that proved it expires (epoch seconds); absent for the media cookie. */
  expiresAt?: number;
}

export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: UserRole;
  /** Set by the signer; verification refuses a token without it. */
  exp?: number;
}

/** Network facts a service needs for per-IP limits, kept free of any transport type. */
export interface ClientInfo {
  ip: string;
}

/** Access tokens are HS256 only; verification pins it so 'none' or an asymmetric algorithm is never accepted. */
export const JWT_ALGORITHM = 'HS256' as const;

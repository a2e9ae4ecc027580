/** Roles are part of who is calling, so they live here; the users table stores them as these strings. */
export const USER_ROLES = ['user', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Who is calling, as proven by a verified access token; every service method takes it first. */
export interface AuthContext {
  userId: string;
  username: string;
  role: UserRole;
}

export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: UserRole;
}

/** Network facts a service needs for per-IP limits, kept free of any transport type. */
export interface ClientInfo {
  ip: string;
}

/** Access tokens are HS256 only; verification pins it so 'none' or an asymmetric algorithm is never accepted. */
export const JWT_ALGORITHM = 'HS256' as const;

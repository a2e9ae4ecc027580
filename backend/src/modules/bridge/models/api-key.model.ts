export const API_KEY_SCOPES = ['notifications:send'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A row of `api_keys`; the key itself is never stored, only its SHA-256 and a short prefix to recognise it by. */
export interface ApiKeyRow {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: ApiKeyScope[];
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Who is calling with an API key, as the guard proved it. */
export interface ApiKeyContext {
  keyId: string;
  scopes: ApiKeyScope[];
}

import { client, restoreSession } from '@messenger/api-client';
import { env } from '@/config/env';
import { getAccessToken, useSession } from './session';

let refreshing: Promise<boolean> | null = null;

async function restore(): Promise<boolean> {
  try {
    const res = await restoreSession();
    if (res.data) {
      useSession.getState().signIn(res.data);
      return true;
    }
    useSession.getState().signOut();
  } catch {
    // The server is unreachable: keep what we have and let the caller decide.
    if (useSession.getState().status === 'restoring') useSession.getState().setStatus('unreachable');
  }
  return false;
}

/**
 * Spends the refresh cookie for a new access token. Concurrent callers share one request, and tabs take
 * turns through a Web Lock, because two tabs spending the same rotating token would revoke the whole family.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
      return locks ? await locks.request('messenger-session', restore) : await restore();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

const AUTH_PATH = '/api/v1/auth/';

/** An expired access token is refreshed silently, once per request; a failed refresh signs out. */
async function fetchWithRefresh(request: Request): Promise<Response> {
  const retry = request.url.includes(AUTH_PATH) ? null : request.clone();
  const sentToken = request.headers.get('Authorization');
  const response = await fetch(request);
  if (response.status !== 401 || !retry || !sentToken) return response;
  // Another request may have refreshed already while this one was in flight.
  const current = getAccessToken();
  if (!current || `Bearer ${current}` === sentToken) {
    if (!(await refreshSession())) return response;
  }
  retry.headers.set('Authorization', `Bearer ${getAccessToken()}`);
  return fetch(retry);
}

export function configureApiClient(baseUrl: string = env.apiUrl): void {
  client.setConfig({
    baseUrl,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetchWithRefresh(input instanceof Request ? input : new Request(input, init)),
    auth: () => getAccessToken() ?? undefined,
  });
}

export interface ApiError {
  statusCode?: number;
  code?: string;
  message?: string;
}

export const apiErrorStatus = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null ? (error as ApiError).statusCode : undefined;

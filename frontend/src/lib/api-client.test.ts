import { getMe } from '@messenger/api-client';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { me } from '@/testing/data';
import { server } from '@/testing/server';
import { refreshSession } from './api-client';
import { useSession } from './session';

describe('API client session handling (unit, HTTP mocked with MSW)', () => {
  it('refreshes an expired access token silently once and retries the request with the new one', async () => {
    useSession.getState().signIn({ user: me, accessToken: 'expired', expiresIn: 900 });
    let sessionCalls = 0;
    const seen: Array<string | null> = [];
    server.use(
      http.get('*/api/v1/users/me', ({ request }) => {
        seen.push(request.headers.get('authorization'));
        return request.headers.get('authorization') === 'Bearer fresh'
          ? HttpResponse.json(me)
          : HttpResponse.json({ statusCode: 401, code: 'UNAUTHORIZED', message: 'expired' }, { status: 401 });
      }),
      http.post('*/api/v1/auth/session', () => {
        sessionCalls += 1;
        return HttpResponse.json({ user: me, accessToken: 'fresh', expiresIn: 900 });
      }),
    );
    const res = await getMe();
    expect(res.data?.username).toBe('me');
    expect(seen).toEqual(['Bearer expired', 'Bearer fresh']);
    expect(sessionCalls).toBe(1);
    expect(useSession.getState().accessToken).toBe('fresh');
  });

  it('signs out when the refresh fails, so the app returns to the login page', async () => {
    useSession.getState().signIn({ user: me, accessToken: 'expired', expiresIn: 900 });
    server.use(
      http.get('*/api/v1/users/me', () => HttpResponse.json({ statusCode: 401, code: 'UNAUTHORIZED', message: 'expired' }, { status: 401 })),
      http.post('*/api/v1/auth/session', () => HttpResponse.json({ statusCode: 401, code: 'UNAUTHORIZED', message: 'No session' }, { status: 401 })),
    );
    const res = await getMe();
    expect(res.response?.status).toBe(401);
    expect(useSession.getState().status).toBe('signed-out');
    expect(useSession.getState().accessToken).toBeNull();
  });

  it('shares one refresh between concurrent callers', async () => {
    let calls = 0;
    server.use(
      http.post('*/api/v1/auth/session', async () => {
        calls += 1;
        await new Promise((r) => setTimeout(r, 20));
        return HttpResponse.json({ user: me, accessToken: 'shared', expiresIn: 900 });
      }),
    );
    expect(await Promise.all([refreshSession(), refreshSession(), refreshSession()])).toEqual([true, true, true]);
    expect(calls).toBe(1);
  });

  it('never stores a token in web storage', async () => {
    server.use(http.post('*/api/v1/auth/session', () => HttpResponse.json({ user: me, accessToken: 'secret-token', expiresIn: 900 })));
    await refreshSession();
    const stored = [...Object.keys(localStorage).map((k) => localStorage.getItem(k)), ...Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k))];
    expect(stored.join('|')).not.toContain('secret-token');
    expect(document.cookie).not.toContain('secret-token');
  });
});

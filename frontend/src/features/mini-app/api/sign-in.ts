import { signInWithTelegram } from '@messenger/api-client';
import { refreshSession } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import { applyTelegramTheme, type MiniApp } from '@/lib/telegram-web-app';
import { useMiniApp } from '../store';

/**
 * Starts the SPA as a Telegram Mini App: Telegram's theme, then sign-in with the signed initData
 * (`POST /api/v1/auth/telegram`). Without a channel or with initData the server refuses, an existing session
 * (the refresh cookie) is tried instead, and the reason is kept to show on the login page.
 */
export async function startMiniApp(app: MiniApp): Promise<void> {
  useMiniApp.getState().set({ app, error: null });
  applyTelegramTheme(app.themeParams, app.colorScheme);
  app.ready();
  if (!app.channelId) {
    useMiniApp.getState().set({ error: { kind: 'no-channel' } });
    await refreshSession();
    return;
  }
  try {
    const res = await signInWithTelegram({ body: { initData: app.initData, channelId: app.channelId } });
    if (res.data) {
      useSession.getState().signIn(res.data);
      return;
    }
    const error = res.error as { code?: string; message?: string } | undefined;
    useMiniApp.getState().set({ error: { kind: 'refused', reason: error?.message ?? error?.code ?? String(res.response.status) } });
  } catch {
    useMiniApp.getState().set({ error: { kind: 'offline' } });
  }
  await refreshSession();
}

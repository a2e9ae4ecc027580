import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { startMiniApp } from '@/features/mini-app';
import { configureApiClient, refreshSession } from '@/lib/api-client';
import { useLocale } from '@/lib/i18n';
import { createQueryClient } from '@/lib/query-client';
import { useSession } from '@/lib/session';
import { detectMiniApp } from '@/lib/telegram-web-app';

configureApiClient();

export function AppProvider({ children, queryClient }: { children: ReactNode; queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  const locale = useLocale((s) => s.locale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  // A reload starts signed out in memory: the refresh cookie, if any, brings the session back. Inside Telegram
  // the signed initData signs in instead (no password, no cookie needed).
  useEffect(() => {
    if (useSession.getState().status !== 'restoring') return;
    const miniApp = detectMiniApp();
    void (miniApp ? startMiniApp(miniApp) : refreshSession());
  }, []);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { refreshSession } from '@/lib/api-client';
import { useT } from '@/lib/i18n';
import { useSession } from '@/lib/session';
import { LoginRoute, RegisterRoute } from './routes/auth';
import { ChatRoute } from './routes/chat';
import { ChatsLayout, NoChatSelected } from './routes/chats-layout';
import { InboxLayout } from './routes/inbox';
import { ChannelSettingsPage, InboxPage, StatsPage } from '@/features/inbox';
import { MiniAppNavigation, MiniAppSignInError } from '@/features/mini-app';
import { AlertSettingsPage } from '@/features/telegram-alerts';

function RequireSession({ children }: { children: ReactNode }) {
  const status = useSession((s) => s.status);
  const location = useLocation();
  if (status !== 'signed-in') return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return children;
}

function GuestOnly({ children }: { children: ReactNode }) {
  const status = useSession((s) => s.status);
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  if (status === 'signed-in') return <Navigate to={from && from !== '/login' ? from : '/'} replace />;
  return children;
}

function Boot({ children }: { children: ReactNode }) {
  const t = useT();
  const status = useSession((s) => s.status);
  if (status === 'restoring') return <Spinner label={t('auth.restoring')} />;
  if (status === 'unreachable')
    return (
      <div className="flex h-full flex-col items-center justify-center gap-3 p-8" role="alert">
        <p>{t('auth.offline')}</p>
        <Button
          onClick={() => {
            useSession.getState().setStatus('restoring');
            void refreshSession();
          }}
        >
          {t('common.retry')}
        </Button>
      </div>
    );
  return children;
}

export function AppRouter() {
  return (
    <BrowserRouter>
      <Boot>
        <MiniAppNavigation />
        <Routes>
          <Route path="/login" element={<GuestOnly><MiniAppSignInError /><LoginRoute /></GuestOnly>} />
          <Route path="/register" element={<GuestOnly><RegisterRoute /></GuestOnly>} />
          <Route element={<RequireSession><ChatsLayout /></RequireSession>}>
            <Route index element={<NoChatSelected />} />
            <Route path="chats/:chatId" element={<ChatRoute />} />
          </Route>
          <Route element={<RequireSession><InboxLayout /></RequireSession>}>
            <Route path="inbox" element={<InboxPage />} />
            <Route path="inbox/stats" element={<StatsPage />} />
            <Route path="inbox/alerts" element={<AlertSettingsPage />} />
            <Route path="inbox/channels" element={<ChannelSettingsPage />} />
            <Route path="inbox/:chatId" element={<InboxPage />} />
          </Route>
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Boot>
    </BrowserRouter>
  );
}

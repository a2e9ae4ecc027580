import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useT } from '@/lib/i18n';
import { useMiniApp } from '../store';

const HOME = '/inbox';

/**
 * Inside Telegram: the inbox is the home screen, and Telegram's back button (not a button of ours) goes back
 * within the app; it is hidden on the home screen, where Telegram's own close button is the way out.
 */
export function MiniAppNavigation() {
  const app = useMiniApp((s) => s.app);
  const location = useLocation();
  const navigate = useNavigate();
  const atHome = location.pathname === HOME;

  useEffect(() => {
    if (app && location.pathname === '/') navigate(HOME, { replace: true });
  }, [app, location.pathname, navigate]);

  useEffect(() => {
    if (!app) return;
    if (atHome || location.pathname === '/' || location.pathname === '/login') {
      app.backButton.hide();
      return;
    }
    app.backButton.show();
    // A page opened directly (no history inside the app) goes back to the inbox rather than out of the app.
    return app.backButton.onPress(() => (location.key === 'default' ? navigate(HOME, { replace: true }) : navigate(-1)));
  }, [app, atHome, location.pathname, location.key, navigate]);

  return null;
}

/** Why the Telegram sign-in did not work, above the login form. */
export function MiniAppSignInError() {
  const t = useT();
  const error = useMiniApp((s) => s.error);
  if (!error) return null;
  const text = error.kind === 'no-channel' ? t('miniApp.noChannel') : error.kind === 'offline' ? t('auth.offline') : t('miniApp.failed', { reason: error.reason });
  return (
    <p role="alert" className="mx-auto mt-4 max-w-sm rounded-lg bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
      {text}
    </p>
  );
}

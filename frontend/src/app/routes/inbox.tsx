import { Link, Outlet } from 'react-router';
import { useT } from '@/lib/i18n';
import { useSession } from '@/lib/session';
import { ConnectionBanner } from '../components/connection-banner';
import { useRealtime } from '../realtime';

/** The operators' inbox: its own screen, with a way back to the chats and the same realtime wiring. */
export function InboxLayout() {
  const t = useT();
  const me = useSession((s) => s.user)!;
  useRealtime(me.id, () => undefined);
  return (
    <div className="flex h-full flex-col">
      <ConnectionBanner />
      <nav aria-label={t('inbox.nav')} className="flex items-center gap-3 border-b border-slate-200 px-3 py-1 text-sm dark:border-slate-800">
        <Link to="/" className="text-blue-600 underline dark:text-blue-400">
          {t('chats.nav')}
        </Link>
        <Link to="/inbox" aria-current="page" className="font-semibold">
          {t('inbox.nav')}
        </Link>
      </nav>
      <Outlet />
    </div>
  );
}

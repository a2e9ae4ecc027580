import { useT } from '@/lib/i18n';
import { useConnection } from '@/lib/socket';

/** Honest about the socket: shown while it is down after having been up, or while the first connect keeps failing. */
export function ConnectionBanner() {
  const t = useT();
  const status = useConnection((s) => s.status);
  if (status !== 'reconnecting') return null;
  return (
    <div role="status" className="bg-amber-100 px-3 py-1.5 text-center text-sm font-medium text-amber-900 dark:bg-amber-900 dark:text-amber-50">
      {t('connection.reconnecting')}
    </div>
  );
}

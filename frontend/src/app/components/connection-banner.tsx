import { useEffect, useState } from 'react';
import { useT } from '@/lib/i18n';
import { useConnection } from '@/lib/socket';

// A first connect normally takes a few milliseconds; only one that drags on is worth a banner.
const FIRST_CONNECT_GRACE_MS = 2_000;

/** Honest about the socket: shown while it is down after having been up, or while the first connect keeps failing. */
export function ConnectionBanner() {
  const t = useT();
  const status = useConnection((s) => s.status);
  const [slowFirstConnect, setSlowFirstConnect] = useState(false);
  useEffect(() => {
    if (status !== 'connecting') return;
    const timer = setTimeout(() => setSlowFirstConnect(true), FIRST_CONNECT_GRACE_MS);
    return () => {
      clearTimeout(timer);
      setSlowFirstConnect(false);
    };
  }, [status]);
  if (status !== 'reconnecting' && !(status === 'connecting' && slowFirstConnect)) return null;
  return (
    <div role="status" className="bg-amber-100 px-3 py-1.5 text-center text-sm font-medium text-amber-900 dark:bg-amber-900 dark:text-amber-50">
      {t('connection.reconnecting')}
    </div>
  );
}

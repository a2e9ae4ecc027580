import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { inputClass } from '@/components/ui/field';
import { useLogout } from '@/features/auth';
import { LOCALES, useLocale, useT, type Locale } from '@/lib/i18n';
import { useSession } from '@/lib/session';

function NotificationsSetting() {
  const t = useT();
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return <p className="text-sm text-slate-500">{t('settings.notificationsUnsupported')}</p>;
  if (permission === 'granted') return <p className="text-sm">{t('settings.notificationsOn')}</p>;
  if (permission === 'denied') return <p className="text-sm text-slate-500">{t('settings.notificationsBlocked')}</p>;
  return (
    <Button variant="secondary" onClick={() => void Notification.requestPermission().then(setPermission)}>
      {t('settings.enableNotifications')}
    </Button>
  );
}

export function SettingsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const user = useSession((s) => s.user);
  const { logout, isPending } = useLogout();

  return (
    <Dialog open={open} onClose={onClose} title={t('settings.title')} closeLabel={t('common.close')}>
      <div className="space-y-5">
        {user ? <p className="text-sm">{t('settings.signedInAs', { name: `${user.displayName} (@${user.username})` })}</p> : null}
        <div className="space-y-1">
          <label htmlFor="settings-language" className="block text-sm font-medium">
            {t('settings.language')}
          </label>
          <select id="settings-language" className={inputClass} value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            {LOCALES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <h3 className="text-sm font-medium">{t('settings.notifications')}</h3>
          <NotificationsSetting />
        </div>
        <Button variant="danger" className="w-full" onClick={logout} disabled={isPending}>
          {t('settings.logout')}
        </Button>
      </div>
    </Dialog>
  );
}

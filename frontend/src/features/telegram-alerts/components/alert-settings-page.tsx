import type { AlertThreadScope } from '@messenger/api-client';
import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { inputClass } from '@/components/ui/field';
import { useT } from '@/lib/i18n';
import { useAlertBots, useAlertSettings, useCreateTelegramLink, useMe, useUnlinkTelegram, useUpdateAlertSettings } from '../api';

/** Which customer messages reach you on Telegram as alert cards, and the Telegram account they go to. */
export function AlertSettingsPage() {
  const t = useT();
  const settings = useAlertSettings();
  const update = useUpdateAlertSettings();
  return (
    <div className="mx-auto w-full max-w-xl space-y-6 p-4">
      <div className="flex items-center gap-2">
        <h1 className="text-lg font-semibold">{t('alerts.title')}</h1>
        <Link to="/inbox" className="ml-auto text-sm text-blue-600 underline">
          {t('inbox.nav')}
        </Link>
      </div>
      <TelegramAccount />
      {settings.data ? (
        <section className="space-y-3" aria-label={t('alerts.settings')}>
          <div className="space-y-1">
            <label htmlFor="alert-threads" className="block text-sm font-medium">
              {t('alerts.threads')}
            </label>
            <select
              id="alert-threads"
              className={inputClass}
              value={settings.data.threads}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ body: { threads: e.target.value as AlertThreadScope } })}
            >
              <option value="assigned+unassigned">{t('alerts.threads.all')}</option>
              <option value="assigned">{t('alerts.threads.assigned')}</option>
            </select>
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={settings.data.muted} disabled={update.isPending} onChange={(e) => update.mutate({ body: { muted: e.target.checked } })} />
            {t('alerts.mute')}
          </label>
          {update.isError ? <p role="alert" className="text-sm text-red-600">{t('common.error')}</p> : null}
        </section>
      ) : null}
    </div>
  );
}

/** The linked Telegram account, or a one-time link to the alert bot that links it. */
function TelegramAccount() {
  const t = useT();
  const me = useMe();
  const bots = useAlertBots();
  const create = useCreateTelegramLink();
  const unlink = useUnlinkTelegram();
  const linked = me.data?.telegramLink;
  const bot = bots.data?.[0];
  if (linked) {
    return (
      <section className="flex items-center gap-3 text-sm" aria-label={t('alerts.account')}>
        <p>{t('alerts.linked', { name: linked.username ? `@${linked.username}` : linked.telegramUserId })}</p>
        <Button variant="secondary" size="sm" className="ml-auto" onClick={() => unlink.mutate({})} disabled={unlink.isPending}>
          {t('alerts.unlink')}
        </Button>
      </section>
    );
  }
  return (
    <section className="space-y-2 text-sm" aria-label={t('alerts.account')}>
      <p>{t('alerts.notLinked')}</p>
      {!bot ? (
        <p className="text-slate-500">{t('alerts.noBot')}</p>
      ) : create.data ? (
        <a href={create.data.url} target="_blank" rel="noreferrer" className="text-blue-600 underline">
          {t('alerts.openTelegram')}
        </a>
      ) : (
        <Button size="sm" onClick={() => create.mutate({ body: { channelId: bot.id } })} disabled={create.isPending}>
          {t('alerts.link')}
        </Button>
      )}
    </section>
  );
}

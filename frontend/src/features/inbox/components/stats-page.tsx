import { lazy, Suspense, useState } from 'react';
import { Link } from 'react-router';
import { useLocale, useT } from '@/lib/i18n';
import { useChannels, useStats } from '../api';

const DAY_MS = 86_400_000;

const formatSeconds = (seconds: number | null, locale: string) => {
  if (seconds === null) return '—';
  if (seconds < 90) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: seconds < 10 ? 1 : 0 }).format(seconds)} s`;
  if (seconds < 5400) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(seconds / 60)} min`;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(seconds / 3600)} h`;
};

const DayChart = lazy(() => import('./day-chart'));

export function StatsPage() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const [days, setDays] = useState(7);
  const [channelId, setChannelId] = useState('');
  const [to] = useState(() => new Date(Math.ceil(Date.now() / 60_000) * 60_000));
  const from = new Date(to.getTime() - days * DAY_MS);
  const stats = useStats({ from: from.toISOString(), to: to.toISOString(), ...(channelId ? { channelId } : {}) });
  const channels = useChannels();
  const num = (n: number) => n.toLocaleString(locale);
  const data = stats.data;
  return (
    <div className="min-h-0 flex-1 space-y-4 overflow-y-auto p-4">
      <div className="flex flex-wrap items-center gap-2">
        <Link to="/inbox" className="text-sm text-blue-600 underline">
          ← {t('inbox.nav')}
        </Link>
        <h1 className="text-lg font-semibold">{t('inbox.stats.title')}</h1>
        <select aria-label={t('inbox.stats.period')} value={days} onChange={(e) => setDays(Number(e.target.value))} className="rounded border border-slate-300 px-1 text-sm dark:border-slate-700 dark:bg-slate-900">
          {[1, 7, 30, 90].map((d) => (
            <option key={d} value={d}>
              {t('inbox.stats.lastDays', { count: d })}
            </option>
          ))}
        </select>
        <select aria-label={t('inbox.filter.channel')} value={channelId} onChange={(e) => setChannelId(e.target.value)} className="rounded border border-slate-300 px-1 text-sm dark:border-slate-700 dark:bg-slate-900">
          <option value="">{t('inbox.filter.anyChannel')}</option>
          {(channels.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      {data ? (
        <>
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            {(
              [
                ['inbox.stats.opened', num(data.total.opened)],
                ['inbox.stats.resolved', num(data.total.resolved)],
                ['inbox.stats.firstResponse', formatSeconds(data.total.firstResponseMedianSeconds, locale)],
                ['inbox.stats.resolution', formatSeconds(data.total.resolutionMedianSeconds, locale)],
              ] as const
            ).map(([key, value]) => (
              <div key={key} className="rounded border border-slate-200 p-2 dark:border-slate-800">
                <dt className="text-xs text-slate-500">{t(key)}</dt>
                <dd className="text-xl font-semibold tabular-nums">{value}</dd>
              </div>
            ))}
          </dl>
          <Suspense fallback={<div className="h-64" />}>
            <DayChart days={data.days} from={data.from} to={data.to} locale={locale} formatSeconds={(s) => formatSeconds(s, locale)} />
          </Suspense>
          <table className="w-full text-sm">
            <caption className="text-left font-semibold">{t('inbox.stats.operators')}</caption>
            <thead>
              <tr className="text-left text-xs text-slate-500">
                <th>{t('inbox.stats.operator')}</th>
                <th>{t('inbox.stats.resolved')}</th>
                <th>{t('inbox.stats.firstResponse')}</th>
                <th>{t('inbox.stats.firstResponseP90')}</th>
                <th>{t('inbox.stats.messagesOut')}</th>
                <th>{t('inbox.stats.failed')}</th>
              </tr>
            </thead>
            <tbody>
              {data.operators.map((o) => (
                <tr key={o.operatorId} className="border-t border-slate-100 dark:border-slate-800">
                  <td>{o.operatorName}</td>
                  <td className="tabular-nums">{num(o.resolved)}</td>
                  <td className="tabular-nums">{formatSeconds(o.firstResponseMedianSeconds, locale)}</td>
                  <td className="tabular-nums">{formatSeconds(o.firstResponseP90Seconds, locale)}</td>
                  <td className="tabular-nums">{num(o.messagesOut)}</td>
                  <td className="tabular-nums">{num(o.failedDeliveries)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}

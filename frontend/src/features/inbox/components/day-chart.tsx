import type { DayStatsDto } from '@messenger/api-client';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useT } from '@/lib/i18n';

export interface DayChartProps {
  days: DayStatsDto[];
  /** The period, so days without any activity show as zero rather than disappear. */
  from: string;
  to: string;
  locale: string;
  formatSeconds: (seconds: number | null) => string;
}

/**
 * Threads opened vs resolved per day as bars, the median first response as a line on its own axis. Its own module
 * so the charting library loads with the statistics page, not with the app.
 */
export default function DayChart({ days, from, to, locale, formatSeconds }: DayChartProps) {
  const t = useT();
  const date = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const count = (n: number) => n.toLocaleString(locale);
  const byDate = new Map(days.map((d) => [d.date, d]));
  const data = [];
  for (let at = Date.parse(from.slice(0, 10)); at < Date.parse(to); at += 86_400_000) {
    const key = new Date(at).toISOString().slice(0, 10);
    const d = byDate.get(key);
    data.push({ date: key, opened: d?.opened ?? 0, resolved: d?.resolved ?? 0, firstResponse: d?.firstResponseMedianSeconds ?? null });
  }
  return (
    <figure role="img" aria-label={t('inbox.stats.chart')} className="h-64 w-full max-w-3xl">
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height: 256 }}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" className="stroke-slate-200 dark:stroke-slate-800" />
          <XAxis dataKey="date" tickFormatter={date} fontSize={11} />
          <YAxis yAxisId="threads" allowDecimals={false} tickFormatter={count} fontSize={11} width={40} />
          <YAxis yAxisId="seconds" orientation="right" tickFormatter={(s: number) => formatSeconds(s)} fontSize={11} width={56} />
          <Tooltip
            labelFormatter={(d) => date(String(d))}
            formatter={(value, name) => (name === t('inbox.stats.firstResponse') ? formatSeconds(value as number | null) : count(Number(value)))}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar yAxisId="threads" dataKey="opened" name={t('inbox.stats.opened')} fill="#0ea5e9" isAnimationActive={false} />
          <Bar yAxisId="threads" dataKey="resolved" name={t('inbox.stats.resolved')} fill="#10b981" isAnimationActive={false} />
          <Line yAxisId="seconds" dataKey="firstResponse" name={t('inbox.stats.firstResponse')} stroke="#f59e0b" strokeWidth={2} connectNulls isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

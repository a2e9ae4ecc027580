import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useT } from '@/lib/i18n';
import { useDateFormat } from '@/lib/i18n/format';
import { presetTimes, SCHEDULE_MIN_AHEAD_MS, toLocalInput } from '../utils/schedule-presets';

export interface ScheduleMenuProps {
  disabled: boolean;
  /** Schedules the composer's text for that time; resolves once the server has it. */
  onSchedule(at: Date): Promise<unknown>;
}

const tooSoon = (at: Date) => Number.isNaN(at.getTime()) || at.getTime() - Date.now() < SCHEDULE_MIN_AHEAD_MS;

/** "Schedule" next to Send: presets, or a date and time of your choice. */
export function ScheduleMenu({ disabled, onSchedule }: ScheduleMenuProps) {
  const t = useT();
  const dates = useDateFormat();
  const [open, setOpen] = useState(false);
  // Taken when the menu opens, so the choices do not shift while you look at them.
  const [choices, setChoices] = useState<{ presets: ReturnType<typeof presetTimes>; min: string }>({ presets: [], min: '' });
  const [custom, setCustom] = useState('');
  const [error, setError] = useState<string | null>(null);

  const pick = async (at: Date) => {
    if (tooSoon(at)) return setError(t('schedule.tooSoon'));
    try {
      await onSchedule(at);
      setOpen(false);
      setCustom('');
      setError(null);
    } catch (e) {
      setError((e as { message?: string })?.message ?? t('common.error'));
    }
  };

  const toggle = () => {
    if (!open) {
      const now = new Date();
      setChoices({ presets: presetTimes(now), min: toLocalInput(new Date(now.getTime() + SCHEDULE_MIN_AHEAD_MS)) });
    }
    setOpen(!open);
  };

  return (
    <div className="relative">
      <Button variant="secondary" disabled={disabled} aria-expanded={open} aria-haspopup="dialog" onClick={toggle}>
        {t('schedule.button')}
      </Button>
      {open ? (
        <div role="dialog" aria-label={t('schedule.title')} className="absolute right-0 bottom-12 z-10 w-72 space-y-2 rounded-xl bg-white p-3 shadow-xl ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700">
          <p className="text-sm font-semibold">{t('schedule.title')}</p>
          {choices.presets.map(({ preset, at }) => (
            <button key={preset} type="button" onClick={() => void pick(at)} className="flex w-full justify-between rounded-lg px-2 py-1.5 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
              <span>{t(`schedule.preset.${preset}`)}</span>
              <span className="text-slate-500">{dates.full(at.toISOString())}</span>
            </button>
          ))}
          <label className="block text-xs text-slate-500">
            {t('schedule.at')}
            <input
              type="datetime-local"
              value={custom}
              min={choices.min}
              onChange={(e) => setCustom(e.target.value)}
              className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
            />
          </label>
          <Button size="sm" className="w-full" disabled={!custom} onClick={() => void pick(new Date(custom))}>
            {t('schedule.confirm')}
          </Button>
          {error ? (
            <p role="alert" className="text-xs text-red-600">
              {error}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

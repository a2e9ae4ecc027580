/** The earliest a message may be scheduled, as the API requires (10 s), with a margin for the request itself. */
export const SCHEDULE_MIN_AHEAD_MS = 60_000;

export type SchedulePreset = 'inOneHour' | 'tonight' | 'tomorrowMorning' | 'mondayMorning';

/** Preset times in the person's own time zone; `tonight` only while it is still ahead. */
export function presetTimes(now = new Date()): Array<{ preset: SchedulePreset; at: Date }> {
  const at = (days: number, hour: number) => {
    const d = new Date(now);
    d.setDate(d.getDate() + days);
    d.setHours(hour, 0, 0, 0);
    return d;
  };
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  const out: Array<{ preset: SchedulePreset; at: Date }> = [{ preset: 'inOneHour', at: new Date(now.getTime() + 3_600_000) }];
  const tonight = at(0, 20);
  if (tonight.getTime() - now.getTime() > SCHEDULE_MIN_AHEAD_MS) out.push({ preset: 'tonight', at: tonight });
  out.push({ preset: 'tomorrowMorning', at: at(1, 9) }, { preset: 'mondayMorning', at: at(daysToMonday, 9) });
  return out;
}

/** A Date as the value of <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

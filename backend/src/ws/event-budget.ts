import { msToSeconds, secondsToMs } from '@/core/time';

/** Events counted per socket in a fixed window (RATE_SOCKET_EVENTS per RATE_SOCKET_EVENTS_WINDOW_SECONDS). */
export interface EventWindow {
  startedAt: number;
  count: number;
}

/**
 * Counts one event against a socket's budget, kept on its `data`. Returns the seconds until it may send again when
 * it is over, else null. The messenger's and the widget's sockets share it, so a visitor gets the same budget.
 */
export function spendEventBudget(data: { events?: EventWindow }, budget: { limit: number; windowSeconds: number }, now = Date.now()): number | null {
  const windowMs = secondsToMs(budget.windowSeconds);
  let window = data.events;
  if (!window || now - window.startedAt >= windowMs) {
    window = { startedAt: now, count: 0 };
    data.events = window;
  }
  if (++window.count <= budget.limit) return null;
  return Math.max(1, Math.ceil(msToSeconds(window.startedAt + windowMs - now)));
}

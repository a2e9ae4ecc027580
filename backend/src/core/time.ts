/** Config and tokens speak seconds, timers and Date speak milliseconds: every conversion goes through here. */
export const MS_PER_SECOND = 1000;

export const secondsToMs = (seconds: number) => seconds * MS_PER_SECOND;
export const msToSeconds = (ms: number) => ms / MS_PER_SECOND;
/** Now as whole epoch seconds, the unit of JWT `exp` and our signed cookies. */
export const epochSeconds = (at = Date.now()) => Math.floor(at / MS_PER_SECOND);

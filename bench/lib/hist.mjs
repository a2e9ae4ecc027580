// Latency histogram in milliseconds with fixed buckets, so workers can merge by adding counts.
// 0.05 ms resolution below 100 ms (where the pass/fail line is), coarser above.
const FINE = 2000; // [0, 100) ms by 0.05
const MID = 1800; // [100, 1000) ms by 0.5
const COARSE = 5900; // [1000, 60000) ms by 10
export const HIST_SIZE = FINE + MID + COARSE + 1;

export function newHist() {
  return new Uint32Array(HIST_SIZE);
}

function bucketOf(ms) {
  if (!(ms > 0)) return 0;
  if (ms < 100) return Math.floor(ms * 20);
  if (ms < 1000) return FINE + Math.floor((ms - 100) * 2);
  if (ms < 60000) return FINE + MID + Math.floor((ms - 1000) / 10);
  return HIST_SIZE - 1;
}

function upperOf(i) {
  if (i < FINE) return (i + 1) / 20;
  if (i < FINE + MID) return 100 + (i - FINE + 1) / 2;
  if (i < HIST_SIZE - 1) return 1000 + (i - FINE - MID + 1) * 10;
  return Infinity;
}

export function record(hist, ms) {
  hist[bucketOf(ms)]++;
}

export function merge(into, from) {
  for (let i = 0; i < HIST_SIZE; i++) into[i] += from[i];
  return into;
}

export function count(hist) {
  let n = 0;
  for (let i = 0; i < HIST_SIZE; i++) n += hist[i];
  return n;
}

/** The bucket's upper bound at quantile q (0..1); null for an empty histogram. */
export function quantile(hist, q) {
  const total = count(hist);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < HIST_SIZE; i++) {
    seen += hist[i];
    if (seen >= rank) return upperOf(i);
  }
  return Infinity;
}

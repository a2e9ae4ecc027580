// Turns raw step readings into the printed table and the final verdict.
import { quantile } from './hist.mjs';

const f = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n === Infinity ? 'inf' : n.toFixed(digits));

export function summarizeStep(raw, { rate, groupSize, measureMs, p99LimitMs }) {
  const seconds = measureMs / 1000;
  const attempts = raw.ackOk + raw.ackErr;
  const expected = raw.persisted * groupSize;
  const row = {
    target: raw.target,
    rate,
    sent: attempts,
    ackP50: quantile(raw.ackHist, 0.5),
    ackP99: quantile(raw.ackHist, 0.99),
    e2eP50: quantile(raw.e2eHist, 0.5),
    e2eP99: quantile(raw.e2eHist, 0.99),
    persistedPerS: raw.persisted / seconds,
    deliveriesPerS: raw.windowArrivals / seconds,
    expected,
    received: raw.received,
    completeness: expected > 0 ? raw.received / expected : 0,
    ackErrRate: attempts > 0 ? raw.ackErr / attempts : 1,
    errors: raw.errors,
    rssMb: raw.memory.rss / 2 ** 20,
    heapMb: raw.memory.heapUsed / 2 ** 20,
    heapKbPerConn: (raw.memory.heapUsed - raw.idleHeap) / 1024 / raw.connections,
    cpuPer1k: raw.windowArrivals > 0 ? (raw.cpuMs / raw.windowArrivals) * 1000 : null,
    serverCpuPct: (raw.cpuMs / measureMs) * 100,
    machineBusyPct: raw.machineBusyPct,
    stealPct: raw.stealPct,
    generatorCpuPct: raw.generatorCpuPct,
    pgCpuPct: raw.pgCpuPct,
    redisCpuPct: raw.redisCpuPct,
    maxLagMs: raw.maxLagMs,
    genLoopP99: raw.genLoopP99,
    genLoopMax: raw.genLoopMax,
    loopP99: raw.eventLoop?.p99 ?? null,
    loopMax: raw.eventLoop?.max ?? null,
  };
  const reasons = [];
  if (!(row.e2eP99 <= p99LimitMs)) reasons.push(`p99 ${f(row.e2eP99)} ms > ${p99LimitMs}`);
  if (row.ackErrRate > 0.001) reasons.push(`ack errors ${f(row.ackErrRate * 100, 2)} % ${JSON.stringify(raw.errors)}`);
  if (row.received !== expected || expected === 0) reasons.push(`received ${row.received}/${expected}`);
  if (raw.persisted < attempts * 0.999) reasons.push(`persisted ${raw.persisted} of ${attempts} sent`);
  row.pass = reasons.length === 0;
  row.reasons = reasons;
  return row;
}

const COLUMNS = [
  ['rate/s', (r) => String(r.rate), 6],
  ['server', (r) => r.target, 8],
  ['ack p50/p99 ms', (r) => `${f(r.ackP50)}/${f(r.ackP99)}`, 15],
  ['e2e p50/p99 ms', (r) => `${f(r.e2eP50)}/${f(r.e2eP99)}`, 15],
  ['persisted/s', (r) => f(r.persistedPerS, 0), 11],
  ['deliveries/s', (r) => f(r.deliveriesPerS, 0), 12],
  ['complete', (r) => `${f(r.completeness * 100, r.completeness === 1 ? 0 : 2)} %`, 9],
  ['ack err', (r) => `${f(r.ackErrRate * 100, 2)} %`, 8],
  ['rss MB', (r) => f(r.rssMb, 0), 6],
  ['heap KB/conn', (r) => f(r.heapKbPerConn, 1), 12],
  ['cpu ms/1k deliv', (r) => f(r.cpuPer1k, 1), 15],
  ['srv cpu', (r) => `${f(r.serverCpuPct, 0)} %`, 7],
  ['loop p99/max ms', (r) => `${f(r.loopP99, 0)}/${f(r.loopMax, 0)}`, 15],
  ['gen loop p99/max', (r) => `${f(r.genLoopP99, 0)}/${f(r.genLoopMax, 0)}`, 16],
  ['pg/redis/gen cpu', (r) => `${f(r.pgCpuPct, 0)}/${f(r.redisCpuPct, 0)}/${f(r.generatorCpuPct, 0)} %`, 16],
  ['host busy/steal', (r) => `${f(r.machineBusyPct, 0)}/${f(r.stealPct, 0)} %`, 15],
  ['', (r) => (r.pass ? 'ok' : `FAIL ${r.reasons.join(', ')}`), 0],
];

export const header = () => COLUMNS.map(([name, , w]) => name.padStart(w)).join('  ');
export const line = (row) => COLUMNS.map(([, get, w]) => get(row).padStart(w)).join('  ');

export function capacityOf(rows) {
  let best = 0;
  for (const r of rows) if (r.pass) best = Math.max(best, r.rate);
  return best;
}

/** p99 ratio at the highest rate both passed; if they share none, at the lowest rate both ran. */
export function p99Comparison(ours, baseline) {
  const rates = ours.map((r) => r.rate).filter((rate) => baseline.some((b) => b.rate === rate));
  if (rates.length === 0) return null;
  const pick = (rate) => ({ rate, ours: ours.find((r) => r.rate === rate), baseline: baseline.find((r) => r.rate === rate) });
  const bothPassed = rates.filter((rate) => pick(rate).ours.pass && pick(rate).baseline.pass);
  const chosen = pick(bothPassed.length ? Math.max(...bothPassed) : Math.min(...rates));
  return { ...chosen, ratio: chosen.ours.e2eP99 / chosen.baseline.e2eP99, bothPassed: bothPassed.length > 0 };
}

export { f as fmt };

// What every scenario shares: seeding its own users, running the load around its faults, draining, and the
// checker's verdict with the counts printed.
import { join } from 'node:path';
import { check, readHistory } from './checker.mjs';
import { History, LoadGenerator } from './load.mjs';
import { messageRows, seedUsers } from './seed.mjs';
import { loadAverage, rssMiB, sleep } from './cluster.mjs';

export const say = (msg = '') => process.stdout.write(`${msg}\n`);

export function percentile(values, p) {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** RSS of each API instance and the worker, one line. */
export function rssLine(ctx, label) {
  const parts = [...ctx.apis, ctx.worker].filter((a) => a.alive).map((a) => `${a.name} ${rssMiB(a.pid).toFixed(0)} MiB`);
  say(`  RSS ${label}: ${parts.join(', ')}`);
  return Object.fromEntries([...ctx.apis, ctx.worker].filter((a) => a.alive).map((a) => [a.name, rssMiB(a.pid)]));
}

/**
 * Seeds `clients` users in chats of five, connects them, sends at `rate` msg/s while `faults(load, mark)` runs,
 * drains every outbox, takes each client's final state and lets the checker judge history and database.
 */
export async function underLoad(ctx, name, faults, { downWindows = () => [] } = {}) {
  const { clients, rate } = ctx.params;
  const users = await seedUsers(ctx.databaseUrl, { prefix: `s${name.replace(/\W/g, '')}`, users: clients, groupSize: 5, jwtSecret: ctx.jwtSecret });
  const file = join(ctx.dir, `history-${name}.jsonl`);
  const history = new History(file);
  const load = new LoadGenerator({ users, apps: ctx.apis, history, rate });
  const mark = (what, extra = {}) => history.log({ k: 'fault', what, ...extra });
  let extra;
  let drained;
  try {
    await load.connectAll();
    say(`  ${clients} clients connected; sending ${rate} msg/s (load average ${loadAverage()})`);
    load.startSending();
    await sleep(ctx.params.warmupMs);
    extra = await faults(load, mark);
    await sleep(ctx.params.settleMs);
    load.stopSending();
    drained = await load.drain(ctx.params.drainMs);
  } finally {
    load.stop();
    await history.close();
  }
  const rows = await messageRows(ctx.databaseUrl, [...new Set(users.map((u) => u.chatId))]);
  const verdict = check(readHistory(file), rows, { downWindows: downWindows() });
  const reconnects = load.reconnects;
  return { verdict, reconnects, extra, drained, history: file };
}

export function printCounts(verdict) {
  say(
    `  operations ${verdict.operations} (emits ${verdict.emits}), acked ${verdict.acked}, unacked at the end ${verdict.unacked}, ` +
      `retryable errors ${verdict.errors - verdict.nonRetryable}, non-retryable ${verdict.nonRetryable}, ack timeouts ${verdict.timeouts}, ` +
      `unanswered at a disconnect ${verdict.unanswered}`,
  );
  say(`  rows ${verdict.rows}; lost ${verdict.lost}, duplicated ${verdict.duplicated}, gaps ${verdict.gaps}; clients complete ${verdict.clientsComplete}/${verdict.clientsChecked}`);
  for (const p of verdict.problems.slice(0, 10)) say(`    ! ${p}`);
  if (verdict.problems.length > 10) say(`    ! … ${verdict.problems.length - 10} more`);
}

/** Each assertion is printed with its measured value; the scenario passes when all hold. */
/**
 * Prints each check and returns whether the scenario passed. A `timing` check (a recovery time) gates the full run;
 * in --quick mode (CI, on whatever else the machine is doing) it is printed as SLOW and does not fail the run, while
 * every safety check (lost, duplicated, gaps, non-retryable answers, acks while down, memory) still does.
 */
export function verdictOf(checks) {
  const lenient = process.env.FAULTS_QUICK === '1';
  for (const c of checks) say(`  ${c.ok ? 'ok  ' : c.timing && lenient ? 'SLOW' : 'FAIL'} ${c.what}: ${c.value}`);
  return checks.every((c) => c.ok || (c.timing && lenient));
}

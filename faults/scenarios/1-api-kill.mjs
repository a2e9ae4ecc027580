// SIGKILL one API instance again and again under load; clients reconnect to either instance and resync.
import { sleep } from '../lib/cluster.mjs';
import { percentile, printCounts, say, underLoad, verdictOf } from '../lib/harness.mjs';

export default {
  id: 1,
  title: 'SIGKILL of an API instance under load',
  quick: true,
  async run(ctx) {
    const { kills, betweenKillsMs } = ctx.params;
    const restarts = [];
    const { verdict, reconnects } = await underLoad(ctx, '1-api-kill', async (_load, mark) => {
      for (let i = 0; i < kills; i++) {
        const victim = ctx.apis[i % ctx.apis.length];
        mark('sigkill', { app: victim.name });
        await victim.kill('SIGKILL');
        await sleep(1000);
        const began = Date.now();
        await victim.start();
        restarts.push(Date.now() - began);
        mark('restarted', { app: victim.name });
        await sleep(betweenKillsMs);
      }
    });
    printCounts(verdict);
    const within10 = reconnects.filter((ms) => ms <= 10_000).length / Math.max(reconnects.length, 1);
    say(`  reconnects ${reconnects.length}: p50 ${percentile(reconnects, 50)} ms, p99 ${percentile(reconnects, 99)} ms, max ${Math.max(0, ...reconnects)} ms`);
    const ok = verdictOf([
      { what: 'faults injected (SIGKILL)', value: kills, ok: true },
      { what: 'acknowledged messages missing from the database', value: verdict.lost, ok: verdict.lost === 0 },
      { what: 'duplicates by (sender, clientId)', value: verdict.duplicated, ok: verdict.duplicated === 0 },
      { what: 'clients without every message of their chat, once, in seq order', value: verdict.gaps, ok: verdict.gaps === 0 },
      { what: 'non-retryable error answers', value: verdict.nonRetryable, ok: verdict.nonRetryable === 0 },
      { what: 'sends never acknowledged by the end', value: verdict.unacked, ok: verdict.unacked === 0 },
      { timing: true, what: 'reconnected within 10 s', value: `${(within10 * 100).toFixed(2)} % of ${reconnects.length}`, ok: reconnects.length > 0 && within10 >= 0.99 },
    ]);
    return {
      ok,
      row: { faults: `${kills} × SIGKILL api`, operations: verdict.operations, lost: verdict.lost, duplicated: verdict.duplicated, gaps: verdict.gaps, recovery: `reconnect p99 ${(percentile(reconnects, 99) / 1000).toFixed(1)} s` },
    };
  },
};

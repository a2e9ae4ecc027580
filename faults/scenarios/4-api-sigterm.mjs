// SIGTERM of each API instance in turn under load, as a deploy does: in-flight sends are answered, none lost.
import { sleep } from '../lib/cluster.mjs';
import { percentile, printCounts, say, underLoad, verdictOf } from '../lib/harness.mjs';

export default {
  id: 4,
  title: 'SIGTERM of an API instance under load (a deploy)',
  quick: false,
  async run(ctx) {
    const stops = [];
    const { verdict, reconnects } = await underLoad(ctx, '4-api-sigterm', async (_load, mark) => {
      for (const app of ctx.apis) {
        mark('sigterm', { app: app.name });
        const began = Date.now();
        const exit = await app.kill('SIGTERM');
        stops.push(Date.now() - began);
        say(`  ${app.name} stopped in ${Date.now() - began} ms (${JSON.stringify(exit)})`);
        await app.start();
        mark('restarted', { app: app.name });
        await sleep(ctx.params.betweenKillsMs);
      }
    });
    printCounts(verdict);
    say(`  reconnects ${reconnects.length}: p99 ${percentile(reconnects, 99)} ms`);
    const ok = verdictOf([
      { what: 'faults injected (SIGTERM)', value: ctx.apis.length, ok: true },
      { what: 'in-flight sends left without an answer when the connection closed', value: verdict.unanswered, ok: verdict.unanswered === 0 },
      { what: 'non-retryable error answers', value: verdict.nonRetryable, ok: verdict.nonRetryable === 0 },
      { what: 'acknowledged messages missing from the database', value: verdict.lost, ok: verdict.lost === 0 },
      { what: 'duplicates by (sender, clientId)', value: verdict.duplicated, ok: verdict.duplicated === 0 },
      { what: 'clients without every message of their chat after resync', value: verdict.gaps, ok: verdict.gaps === 0 },
      { what: 'sends never acknowledged by the end', value: verdict.unacked, ok: verdict.unacked === 0 },
    ]);
    return {
      ok,
      row: { faults: `${ctx.apis.length} × SIGTERM api`, operations: verdict.operations, lost: verdict.lost, duplicated: verdict.duplicated, gaps: verdict.gaps, recovery: `shutdown ≤ ${(Math.max(...stops) / 1000).toFixed(1)} s, reconnect p99 ${(percentile(reconnects, 99) / 1000).toFixed(1)} s` },
    };
  },
};

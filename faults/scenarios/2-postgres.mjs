// PostgreSQL: a fast restart, then SIGKILL of the postmaster held down for an outage, under the same load.
import { sleep } from '../lib/cluster.mjs';
import { printCounts, rssLine, say, underLoad, verdictOf } from '../lib/harness.mjs';

/** Polls /health of every API instance until stopped; returns the status codes seen. */
function watchHealth(apis) {
  const seen = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const app of apis) seen.push(await app.healthStatus());
      await sleep(500);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

export default {
  id: 2,
  title: 'PostgreSQL restart and postmaster SIGKILL under load',
  quick: true,
  async run(ctx) {
    const { outageMs } = ctx.params;
    const windows = [];
    let health = [];
    let recoveryMs = null;
    let rss = {};
    let restartMs = 0;
    const { verdict } = await underLoad(
      ctx,
      '2-postgres',
      async (load, mark) => {
        mark('pg-restart-fast');
        const began = Date.now();
        await ctx.pg.restartFast();
        restartMs = Date.now() - began;
        say(`  pg_ctl restart -m fast took ${restartMs} ms`);
        await sleep(ctx.params.betweenKillsMs);

        rss.before = rssLine(ctx, 'before the outage');
        ctx.pg.killPostmaster();
        const from = Date.now();
        mark('pg-sigkill');
        const watcher = watchHealth(ctx.apis);
        for (let waited = 0; waited < outageMs; waited += 10_000) {
          await sleep(Math.min(10_000, outageMs - waited));
          rss[`during ${Math.round((Date.now() - from) / 1000)} s`] = rssLine(ctx, `during the outage (${Math.round((Date.now() - from) / 1000)} s)`);
        }
        health = await watcher.stop();
        const to = Date.now();
        windows.push({ from, to });
        mark('pg-start');
        await ctx.pg.start();
        const up = Date.now();
        // Back when a send made after the database returned is acknowledged.
        load.lastAckEmitAfter = up;
        load.lastAckAt = 0;
        await new Promise((resolve) => {
          const poll = setInterval(() => {
            if (load.lastAckAt && load.lastAckAt > up) {
              recoveryMs = load.lastAckAt - up;
              clearInterval(poll);
              resolve();
            }
            if (Date.now() - up > 60_000) {
              clearInterval(poll);
              resolve();
            }
          }, 50);
        });
        await sleep(3000);
        rss.after = rssLine(ctx, 'after recovery');
      },
      { downWindows: () => windows },
    );
    printCounts(verdict);
    const answered = health.filter((s) => s !== 0);
    const not503 = answered.filter((s) => s !== 503).length;
    const growth = Math.max(...Object.values(rss.after ?? {}).map((v, i) => v - Object.values(rss.before ?? {})[i] || 0), 0);
    const ok = verdictOf([
      { what: 'faults injected', value: 'pg_ctl restart -m fast, SIGKILL of the postmaster', ok: true },
      { what: `success acks for sends made while the database was down (${Math.round(outageMs / 1000)} s)`, value: verdict.acksWhileDown, ok: verdict.acksWhileDown === 0 },
      { what: 'non-retryable error answers', value: verdict.nonRetryable, ok: verdict.nonRetryable === 0 },
      { what: 'retryable errors received (resent with the same clientId)', value: verdict.errors - verdict.nonRetryable + verdict.timeouts, ok: true },
      { what: 'acknowledged messages missing from the database', value: verdict.lost, ok: verdict.lost === 0 },
      { what: 'duplicates by (sender, clientId)', value: verdict.duplicated, ok: verdict.duplicated === 0 },
      { what: 'clients without every message of their chat after resync', value: verdict.gaps, ok: verdict.gaps === 0 },
      { what: 'sends never acknowledged by the end', value: verdict.unacked, ok: verdict.unacked === 0 },
      { what: '/health answers during the outage that were not 503', value: `${not503} of ${answered.length}`, ok: answered.length > 0 && not503 === 0 },
      { timing: true, what: 'service back after the database (first ack of a new send)', value: recoveryMs === null ? 'never' : `${(recoveryMs / 1000).toFixed(1)} s`, ok: recoveryMs !== null && recoveryMs <= 15_000 },
      { what: 'largest RSS growth of a process, before → after the outage', value: `${growth.toFixed(0)} MiB`, ok: growth < 150 },
    ]);
    return {
      ok,
      row: { faults: `PG restart -m fast + SIGKILL (${Math.round(outageMs / 1000)} s down)`, operations: verdict.operations, lost: verdict.lost, duplicated: verdict.duplicated, gaps: verdict.gaps, recovery: `${recoveryMs === null ? '–' : (recoveryMs / 1000).toFixed(1)} s after PG` },
    };
  },
};

// Redis: FLUSHALL while jobs are queued (the sweeper rebuilds them from PostgreSQL), a restart, and a SIGKILL held
// down for an outage under load: messages keep being stored, the adapter comes back, the worker does not spin.
import { cpuSeconds, sleep, waitFor } from '../lib/cluster.mjs';
import { printCounts, rssLine, say, underLoad, verdictOf } from '../lib/harness.mjs';
import { seedUsers } from '../lib/seed.mjs';
import pg from 'pg';
import { io } from 'socket.io-client';

// An 8×8 PNG: small, but a real image the upload check sniffs and the thumbnail job decodes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWPQqDiBFTEMLQkAAtVaAdp8aMgAAAAASUVORK5CYII=',
  'base64',
);

async function upload(url, user, index) {
  const auth = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/api/v1/uploads`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ chatId: user.chatId, fileName: `f${index}.png`, contentType: 'image/png', size: PNG.length }),
  });
  if (created.status !== 201) throw new Error(`createUpload → ${created.status} ${await created.text()}`);
  const { id, upload: instructions } = await created.json();
  const form = new FormData();
  for (const [k, v] of Object.entries(instructions.fields ?? {})) form.append(k, v);
  form.append('file', new Blob([PNG], { type: 'image/png' }), `f${index}.png`);
  const stored = await fetch(instructions.url, { method: 'POST', body: form });
  if (stored.status >= 300) throw new Error(`storage POST → ${stored.status} ${await stored.text()}`);
  const done = await fetch(`${url}/api/v1/uploads/${id}/complete`, { method: 'POST', headers: { authorization: auth.authorization } });
  if (done.status !== 200 && done.status !== 201) throw new Error(`complete → ${done.status} ${await done.text()}`);
  return id;
}

/** Two users on different instances in one chat: how long until a message sent on one reaches the other live. */
async function crossInstanceProbe(ctx) {
  const [a, b] = await seedUsers(ctx.databaseUrl, { prefix: `probe${Date.now()}`, users: 2, groupSize: 2, jwtSecret: ctx.jwtSecret });
  const connect = (url, user) =>
    new Promise((resolve, reject) => {
      const s = io(url, { transports: ['websocket'], auth: { token: user.token }, forceNew: true });
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  const sender = await connect(ctx.apis[0].url, a);
  const receiver = await connect(ctx.apis[1].url, b);
  const received = new Map(); // clientId -> when it arrived on the other instance
  receiver.on('message:new', (m) => received.set(m.clientId, Date.now()));
  let n = 0;
  return {
    /** ms from now until the first probe sent after now arrives on the other instance. */
    async measure(timeoutMs) {
      const began = Date.now();
      const first = n + 1;
      while (Date.now() - began < timeoutMs) {
        sender.emit('message:send', { chatId: a.chatId, clientId: `probe-${++n}`, body: 'probe' }, () => undefined);
        await sleep(200);
        const arrived = [...received].filter(([id]) => Number(id.slice(6)) >= first).map(([, at]) => at);
        if (arrived.length) return Math.min(...arrived) - began;
      }
      return null;
    },
    close() {
      sender.close();
      receiver.close();
    },
  };
}

export default {
  id: 3,
  title: 'Redis FLUSHALL with jobs queued, restart and SIGKILL under load',
  quick: true,
  async run(ctx) {
    const { outageMs, uploads } = ctx.params;
    const db = new pg.Client({ connectionString: ctx.databaseUrl });
    await db.connect();

    // Jobs queued with no worker running, then Redis forgets them.
    say('  stopping the worker and queueing thumbnail jobs');
    await ctx.worker.kill('SIGTERM');
    const [owner] = await seedUsers(ctx.databaseUrl, { prefix: `jobs${Date.now()}`, users: 1, groupSize: 1, jwtSecret: ctx.jwtSecret });
    const ids = [];
    for (let i = 0; i < uploads; i++) ids.push(await upload(ctx.apis[i % 2].url, owner, i));
    const queued = await ctx.redis.command(`EVAL "return #redis.call('keys', ARGV[1])" 0 ${ctx.redisPrefix}:bull:media:thumbnail-*`);
    await ctx.redis.command('FLUSHALL');
    say(`  ${uploads} uploads completed, ${queued.replace(':', '')} thumbnail jobs were in Redis; FLUSHALL`);
    await ctx.worker.start();
    const flushAt = Date.now();
    const thumbnails = () => db.query('SELECT count(*)::int AS n FROM attachments WHERE id = ANY($1) AND thumbnail_key IS NOT NULL', [ids]).then((r) => r.rows[0].n);
    await waitFor('the sweeper to rebuild the lost thumbnail jobs', async () => (await thumbnails()) === uploads, ctx.params.rebuildTimeoutMs, 500).catch(() => undefined);
    const rebuilt = await thumbnails();
    const rebuildMs = Date.now() - flushAt;
    say(`  thumbnails made after the FLUSHALL: ${rebuilt} of ${uploads} in ${(rebuildMs / 1000).toFixed(1)} s`);

    const probe = await crossInstanceProbe(ctx);
    let restartRecovery = null;
    let killRecovery = null;
    let workerCpu = null;
    let acksDuringOutage = 0;
    const rss = {};
    const { verdict } = await underLoad(ctx, '3-redis', async (load) => {
      await ctx.redis.kill('SIGTERM');
      await ctx.redis.start();
      restartRecovery = await probe.measure(30_000);
      say(`  Redis restarted: cross-instance delivery back in ${restartRecovery} ms`);
      await sleep(ctx.params.betweenKillsMs);

      rss.before = rssLine(ctx, 'before the outage');
      const ackedBefore = load.ackCount;
      await ctx.redis.kill('SIGKILL');
      await sleep(1000);
      const cpu0 = cpuSeconds(ctx.worker.pid);
      const from = Date.now();
      for (let waited = 0; waited < outageMs; waited += 10_000) {
        await sleep(Math.min(10_000, outageMs - waited));
        rss[`during ${Math.round((Date.now() - from) / 1000)} s`] = rssLine(ctx, `during the outage (${Math.round((Date.now() - from) / 1000)} s)`);
      }
      workerCpu = (cpuSeconds(ctx.worker.pid) - cpu0) / ((Date.now() - from) / 1000);
      acksDuringOutage = load.ackCount - ackedBefore;
      await ctx.redis.start();
      killRecovery = await probe.measure(30_000);
      say(`  Redis back after SIGKILL: cross-instance delivery back in ${killRecovery} ms`);
      await sleep(3000);
      rss.after = rssLine(ctx, 'after recovery');
    });
    probe.close();
    await db.end();
    printCounts(verdict);
    const growth = Math.max(...Object.values(rss.after ?? {}).map((v, i) => v - Object.values(rss.before ?? {})[i] || 0), 0);
    const ok = verdictOf([
      { what: 'faults injected', value: 'FLUSHALL with jobs queued, restart (SIGTERM), SIGKILL', ok: true },
      { what: 'lost thumbnail jobs rebuilt from PostgreSQL by the sweeper', value: `${rebuilt} of ${uploads} in ${(rebuildMs / 1000).toFixed(1)} s`, ok: rebuilt === uploads },
      { what: `messages acknowledged (and stored) while Redis was down (${Math.round(outageMs / 1000)} s)`, value: acksDuringOutage, ok: acksDuringOutage > 0 },
      { timing: true, what: 'socket adapter back after the restart (cross-instance delivery)', value: restartRecovery === null ? 'never' : `${restartRecovery} ms`, ok: restartRecovery !== null && restartRecovery <= 5000 },
      { timing: true, what: 'socket adapter back after the SIGKILL (cross-instance delivery)', value: killRecovery === null ? 'never' : `${killRecovery} ms`, ok: killRecovery !== null && killRecovery <= 5000 },
      { what: 'worker CPU while Redis was gone', value: `${((workerCpu ?? 1) * 100).toFixed(1)} % of a core`, ok: workerCpu !== null && workerCpu < 0.2 },
      { what: 'acknowledged messages missing from the database', value: verdict.lost, ok: verdict.lost === 0 },
      { what: 'duplicates by (sender, clientId)', value: verdict.duplicated, ok: verdict.duplicated === 0 },
      { what: 'clients without every message of their chat after resync', value: verdict.gaps, ok: verdict.gaps === 0 },
      { what: 'non-retryable error answers', value: verdict.nonRetryable, ok: verdict.nonRetryable === 0 },
      { what: 'sends never acknowledged by the end', value: verdict.unacked, ok: verdict.unacked === 0 },
      { what: 'largest RSS growth of a process, before → after the outage', value: `${growth.toFixed(0)} MiB`, ok: growth < 150 },
    ]);
    return {
      ok,
      row: {
        faults: `Redis FLUSHALL + restart + SIGKILL (${Math.round(outageMs / 1000)} s down)`,
        operations: verdict.operations,
        lost: verdict.lost,
        duplicated: verdict.duplicated,
        gaps: verdict.gaps,
        recovery: `adapter ${((killRecovery ?? NaN) / 1000).toFixed(1)} s, jobs rebuilt ${(rebuildMs / 1000).toFixed(1)} s, worker CPU ${((workerCpu ?? NaN) * 100).toFixed(1)} %`,
      },
    };
  },
};

import { Queue } from 'bullmq';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@/core/embedded';
import { JobName, QueueName } from '@/core/jobs';
import { BUILT_MAIN, workerProcesses } from '../helpers/worker';

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** User + system CPU seconds of a process, from /proc (fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((done) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (up) return child;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

// Its own redis-server, so that killing it touches nothing else; the worker is the built app in its own process,
// so its CPU time can be read from /proc without counting the test's own.
describe.skipIf(!hasRedisServer || !existsSync('/proc/self/stat'))('a worker whose Redis goes away mid-work', () => {
  const children: ChildProcess[] = [];
  const workers = workerProcesses();
  let queue: Queue | undefined;
  afterAll(async () => {
    await queue?.close().catch(() => undefined);
    for (const child of children) child.kill('SIGKILL');
    workers.killAll();
  });

  it('stays quiet while Redis is gone (< 20 % of a core) and takes jobs again once it is back', async () => {
    const main = BUILT_MAIN;
    expect(existsSync(main), `${main} is missing: build the backend first (pnpm build)`).toBe(true);
    const port = await freePort();
    let redis = await startRedis(port);
    children.push(redis);
    const redisUrl = `redis://127.0.0.1:${port}`;
    const { child: worker, output } = workers.start('worker', { REDIS_URL: redisUrl, REDIS_PREFIX: 'outage' });
    const deadline = Date.now() + 60_000;
    while (!output().includes('worker started')) {
      if (Date.now() > deadline || worker.exitCode !== null) throw new Error(`the worker did not start:\n${output()}`);
      await sleep(200);
    }

    queue = new Queue(QueueName.Media, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: 'outage:bull' });
    queue.on('error', () => undefined);
    // Thumbnails of attachments that do not exist: each job is a quick no-op, so many are being taken and
    // finished at the moment Redis dies.
    const jobs = Array.from({ length: 3000 }, () => ({ name: JobName.AttachmentThumbnail, data: { attachmentId: randomUUID() } }));
    await queue.addBulk(jobs);
    while ((await queue.getJobCounts('completed')).completed < 100) await sleep(50);

    const exited = new Promise((done) => redis.once('exit', done));
    redis.kill('SIGKILL');
    await exited;
    await sleep(1000);
    const before = cpuSeconds(worker.pid!);
    const began = Date.now();
    await sleep(10_000);
    const share = (cpuSeconds(worker.pid!) - before) / ((Date.now() - began) / 1000);
    expect(share, `worker CPU during the outage: ${(share * 100).toFixed(1)} % of a core`).toBeLessThan(0.2);
    expect(worker.exitCode).toBeNull();

    // Back on the same port (empty, as after a crash without persistence): the worker resumes by itself.
    redis = await startRedis(port);
    children.push(redis);
    const probe = await queue.add(JobName.AttachmentThumbnail, { attachmentId: randomUUID() });
    const until = Date.now() + 30_000;
    while ((await queue.getJobState(probe.id!).catch(() => 'unknown')) !== 'completed') {
      if (Date.now() > until) throw new Error(`the worker took no job after Redis returned:\n${output().slice(-3000)}`);
      await sleep(200);
    }
  }, 150_000);
});

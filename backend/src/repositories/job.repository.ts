import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DelayedError, type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram } from 'prom-client';
import { APP_CONFIG, type AppConfig, ConfigError } from '@/core/config';
import {
  defaultJobOptions,
  JOB_OPTIONS,
  JOB_QUEUE,
  type JobHandler,
  type JobItem,
  JobName,
  type JobPayloads,
  PermanentJobError,
  QueueName,
} from '@/core/jobs';
import { MetricsRepository } from './metrics.repository';
import { RedisRepository } from './redis.repository';

const COUNTED_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed', 'paused'] as const;

export interface QueueJobOptions {
  /** Deduplicates: while a job with this id exists, adding another is a no-op. */
  jobId?: string;
  delayMs?: number;
}

/**
 * Waits for a closing step at most `ms`. BullMQ connections retry commands forever (`maxRetriesPerRequest: null`),
 * so during a Redis outage an unbounded close would hold shutdown for good.
 */
const settleWithin = (work: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([work.then(() => true, () => false), new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref())]);

/** Redis is not reachable right now; the caller decides whether the work can wait for the sweeper. */
export class JobQueueUnavailableError extends Error {
  constructor() {
    super('the job queue is unavailable: Redis is not connected');
    this.name = 'JobQueueUnavailableError';
  }
}

/** Owns every BullMQ object (queues and workers) on one Redis connection set. */
@Injectable()
export class JobRepository implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly connection: Redis;
  private readonly prefix: string;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private handlers = new Map<JobName, JobHandler>();
  /** True from the moment the job connection drops until it is ready again. */
  private redisLost = false;
  private readonly duration: Histogram<'queue' | 'name' | 'status'>;
  private readonly failures: Counter<'queue' | 'name' | 'final'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisRepository,
    metrics: MetricsRepository,
  ) {
    // Blocking worker commands need `maxRetriesPerRequest: null`; the duplicate carries it.
    this.connection = redis.duplicate();
    this.connection.on('close', () => this.onConnectionLost());
    this.connection.on('ready', () => this.onConnectionReady());
    this.prefix = `${config.redis.prefix}:bull`;

    this.duration = new Histogram({
      name: 'job_duration_seconds',
      help: 'Time spent running a job attempt, by outcome',
      labelNames: ['queue', 'name', 'status'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [metrics.registry],
    });
    this.failures = new Counter({
      name: 'jobs_failed_total',
      help: 'Failed job attempts; final="true" when no attempt is left',
      labelNames: ['queue', 'name', 'final'] as const,
      registers: [metrics.registry],
    });
    const queues = this.queues;
    new Gauge({
      name: 'job_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis at scrape time (the same for every instance)',
      labelNames: ['queue', 'state'] as const,
      registers: [metrics.registry],
      async collect() {
        await Promise.all(
          [...queues].map(async ([name, queue]) => {
            const counts = await queue.getJobCounts(...COUNTED_STATES).catch(() => null);
            if (!counts) return;
            for (const state of COUNTED_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
  }

  /**
   * BullMQ keeps jobs only in Redis: an evicting Redis would silently drop them, so refuse to start on one.
   * Checked before any queue exists, so the refusal is one line and not BullMQ's warning per queue.
   */
  async onModuleInit(): Promise<void> {
    const info = await this.redis.client.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
    if (policy && policy !== 'noeviction') {
      throw new ConfigError(
        `Redis maxmemory-policy is "${policy}", but the job queues need "noeviction" (an evicting Redis silently drops jobs): set "maxmemory-policy noeviction" in redis.conf or run CONFIG SET maxmemory-policy noeviction`,
      );
    }
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: defaultJobOptions(this.config.jobs) });
      queue.on('error', (error) => this.logger.warn({ err: error, queue: name }, 'queue connection error'));
      this.queues.set(name, queue);
    }
  }

  async add<N extends JobName>(name: N, data: JobPayloads[N], options: QueueJobOptions = {}): Promise<void> {
    this.requireConnection();
    await this.queueFor(name).add(name, data, this.toJobOptions(name, options));
  }

  /** One round trip per queue, however many jobs. */
  async addBulk(items: Array<JobItem & { options?: QueueJobOptions }>): Promise<void> {
    this.requireConnection();
    const byQueue = new Map<QueueName, Array<{ name: string; data: unknown; opts: JobsOptions }>>();
    for (const item of items) {
      const queue = JOB_QUEUE[item.name];
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), { name: item.name, data: item.data, opts: this.toJobOptions(item.name, item.options ?? {}) }]);
    }
    await Promise.all([...byQueue].map(([queue, jobs]) => this.queues.get(queue)!.addBulk(jobs)));
  }

  /** Drops a waiting or delayed job by id; a job already running is left to finish. */
  async remove<N extends JobName>(name: N, jobId: string): Promise<void> {
    await this.queueFor(name).remove(jobId);
  }

  /** Creates or updates a repeatable job; every instance may call it, the scheduler id keeps one schedule. */
  async schedule<N extends JobName>(name: N, data: JobPayloads[N], everyMs: number, schedulerId: string = name): Promise<void> {
    await this.queueFor(name).upsertJobScheduler(schedulerId, { every: everyMs }, { name, data });
  }

  async unschedule(name: JobName, schedulerId: string): Promise<void> {
    await this.queueFor(name).removeJobScheduler(schedulerId);
  }

  /** Starts one worker per queue that has handlers. Handlers are looked up by job name on every job. */
  startWorkers(handlers: JobHandler[]): void {
    this.handlers = new Map(handlers.map((h) => [h.name, h]));
    const queueNames = new Set(handlers.map((h) => JOB_QUEUE[h.name]));
    for (const queueName of queueNames) {
      const worker = new Worker(queueName, (job, token) => this.process(queueName, job, token), {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: queueName === QueueName.BridgeAi ? this.config.ai.concurrency : this.config.jobs.concurrency,
        lockDuration: this.config.jobs.lockMs,
        stalledInterval: this.config.jobs.stalledIntervalMs,
        maxStalledCount: 1,
      });
      worker.on('failed', (job, error) => void this.onFailed(queueName, job, error));
      worker.on('error', (error) => this.logger.warn({ err: error, queue: queueName }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.log(`workers started for queues: ${[...queueNames].join(', ')}`);
  }

  /**
   * While Redis is gone the workers stop asking it for jobs: BullMQ's own retries around a lost connection can
   * loop without a pause, and a paused worker makes no Redis calls at all. Running jobs finish; their results
   * wait in the connection's queue until Redis is back, or their locks expire and another worker runs them.
   */
  private onConnectionLost(): void {
    if (this.redisLost) return;
    this.redisLost = true;
    if (this.workers.length === 0) return;
    this.logger.warn('Redis connection lost: workers paused until it is back');
    for (const worker of this.workers) void worker.pause(true).catch(() => undefined);
  }

  private onConnectionReady(): void {
    if (!this.redisLost) return;
    this.redisLost = false;
    if (this.workers.length === 0) return;
    this.logger.log('Redis connection back: workers resumed');
    for (const worker of this.workers) if (!worker.closing) worker.resume();
  }

  /**
   * The job connection queues commands while Redis is away (workers need that); a producer must not, or every
   * request during an outage would add one more command to an unbounded in-process queue.
   */
  private requireConnection(): void {
    if (this.connection.status !== 'ready') throw new JobQueueUnavailableError();
  }

  /** Where a job stands ('waiting', 'delayed', 'active', 'completed', 'failed', …), or null once it is gone. */
  async jobState(name: JobName, jobId: string): Promise<string | null> {
    const job = await this.queueFor(name).getJob(jobId);
    return job ? await job.getState() : null;
  }

  /** The Queue objects, for the admin board. */
  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  /** Graceful shutdown: stop taking jobs and wait for the running ones (bounded by the grace period). */
  async beforeApplicationShutdown(): Promise<void> {
    const grace = Math.max(this.config.shutdownGraceMs, 1);
    await Promise.all(
      this.workers.map(async (worker) => {
        const finished = await settleWithin(worker.close(), grace);
        // A job still running past the grace period is abandoned; its lock expires and another worker retries it.
        if (!finished) await settleWithin(worker.close(true), grace);
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const grace = Math.max(this.config.shutdownGraceMs, 1);
    await settleWithin(Promise.all([...this.queues.values()].map((q) => q.close())), grace);
    if (!(await settleWithin(this.connection.quit(), grace))) this.connection.disconnect();
  }

  private queueFor(name: JobName): Queue {
    return this.queues.get(JOB_QUEUE[name])!;
  }

  private toJobOptions(name: JobName, options: QueueJobOptions): JobsOptions {
    return { ...JOB_OPTIONS[name], ...(options.jobId ? { jobId: options.jobId } : {}), ...(options.delayMs ? { delay: options.delayMs } : {}) };
  }

  private async process(queue: QueueName, job: Job, token?: string): Promise<void> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    const started = performance.now();
    const observe = (status: string) => this.duration.observe({ queue, name: job.name, status }, (performance.now() - started) / 1000);
    let outcome;
    try {
      outcome = await handler.handle(job.data as never, { id: job.id ?? '', attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
    } catch (error) {
      observe('failed');
      if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
      throw error;
    }
    if (outcome?.retryAt) {
      observe('deferred');
      // The BullMQ idiom for "run me again later" without spending an attempt.
      await job.moveToDelayed(outcome.retryAt.getTime(), token);
      throw new DelayedError();
    }
    observe('completed');
  }

  /** The last-failure handling, written once for every job kind. */
  private async onFailed(queue: QueueName, job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.failures.inc({ queue, name: job.name, final: String(final) });
    const context = { queue, job: job.name, jobId: job.id, attempt: job.attemptsMade, err: error };
    if (!final) {
      this.logger.warn(context, 'job attempt failed, will retry');
      return;
    }
    this.logger.error(context, 'job failed for good');
    try {
      await this.handlers.get(job.name as JobName)?.onFinalFailure?.(job.data as never, error);
    } catch (hookError) {
      this.logger.error({ ...context, err: hookError }, 'final-failure handler failed');
    }
  }
}

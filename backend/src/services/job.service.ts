import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { JOB_HANDLERS, type JobHandler, JobName } from '@/core/jobs';
import { JobRepository } from '@/repositories/job.repository';

/** How soon a scheduled message whose delayed job Redis lost is found again (besides every worker start). */
const SCHEDULED_SWEEP_EVERY_MS = 60_000;

@Injectable()
export class JobService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobSweeper');
  private handlers: JobHandler[] = [];
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobRepository,
    @Optional() @Inject(JOB_HANDLERS) private readonly registered: JobHandler[] = [],
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.start(this.registered);
  }

  /**
   * Checks that every job name has exactly one handler (in every role, so a missing processor fails the
   * first start, not the first job), then runs the workers and the repeatable schedules unless ROLE=api.
   */
  async start(handlers: JobHandler[]): Promise<void> {
    const byName = new Map<JobName, JobHandler>();
    for (const handler of handlers) {
      if (byName.has(handler.name)) throw new Error(`Two handlers for job "${handler.name}"`);
      byName.set(handler.name, handler);
    }
    const missing = Object.values(JobName).filter((name) => !byName.has(name));
    if (missing.length > 0) throw new Error(`No handler for job ${missing.map((n) => `"${n}"`).join(', ')}: add a processor in src/workers`);
    if (this.config.role === 'api') return;
    this.handlers = handlers;
    this.jobs.startWorkers(handlers);
    await this.schedules();
    this.sweeper = setInterval(() => void this.sweep(), this.config.jobs.sweepIntervalSeconds * 1000);
    this.sweeper.unref();
  }

  /**
   * The job sweeper: Redis holds jobs only in memory (or a lost snapshot), so every handler that can say from
   * PostgreSQL which jobs are owed is asked periodically, and those jobs are queued again under their fixed ids.
   * A job still in Redis makes that a no-op. Repeatable schedules live in Redis too and are re-declared.
   * Returns how many owed jobs were offered to the queue.
   */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let offered = 0;
    try {
      await this.schedules();
      for (const handler of this.handlers) {
        if (!handler.rebuild) continue;
        const owed = await handler.rebuild();
        if (owed.length === 0) continue;
        await this.jobs.addBulk(owed.map((job) => ({ name: handler.name, data: job.data, options: { jobId: job.jobId, delayMs: job.delayMs } }) as never));
        offered += owed.length;
        this.logger.log({ job: handler.name, owed: owed.length }, 'owed jobs offered to the queue again');
      }
    } catch (error) {
      // Redis or the database is away: the next sweep tries again.
      this.logger.warn({ err: error }, 'job sweep failed');
    } finally {
      this.sweeping = false;
    }
    return offered;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private async schedules(): Promise<void> {
    await this.jobs.schedule(JobName.UploadsCleanup, {}, this.config.jobs.cleanupEverySeconds * 1000);
    await this.jobs.schedule(JobName.ScheduledSweep, {}, SCHEDULED_SWEEP_EVERY_MS);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { type JobHandler, JobName } from '@/core/jobs';
import { JobRepository } from '@/repositories/job.repository';

/** How soon a scheduled message whose delayed job Redis lost is found again (besides every worker start). */
const SCHEDULED_SWEEP_EVERY_MS = 60_000;

@Injectable()
export class JobService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobRepository,
  ) {}

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
    this.jobs.startWorkers(handlers);
    await this.jobs.schedule(JobName.UploadsCleanup, {}, this.config.jobs.cleanupEverySeconds * 1000);
    await this.jobs.schedule(JobName.ScheduledSweep, {}, SCHEDULED_SWEEP_EVERY_MS);
  }

  /** For the admin board, which reads and manages the queues directly. */
  queues(): Queue[] {
    return this.jobs.allQueues();
  }
}

import { Injectable } from '@nestjs/common';
import { JobName, type JobOutcome } from '@/core/jobs';
import { SnoozeRepository } from '@/modules/bridge/repositories/snooze.repository';
import { JobRepository } from '@/repositories/job.repository';
import { AutoAssignService } from './auto-assign.service';
import { ThreadViewService } from './thread-view.service';

/** The job id names the thread and the time, so scheduling the same snooze twice (or rebuilding it) adds one job. */
const wakeJobId = (chatId: string, until: Date) => `snooze-${chatId}-${until.getTime()}`;

/**
 * Snoozed threads open again at their time through a delayed job. PostgreSQL holds the truth (status and
 * snoozed_until); a job only asks "is it due?", so a stale job of an earlier snooze, a duplicate, or a job for a
 * thread the customer already reopened does nothing. Jobs lost with Redis are rebuilt from the table at start-up.
 */
@Injectable()
export class SnoozeService {
  constructor(
    private readonly snoozes: SnoozeRepository,
    private readonly jobs: JobRepository,
    private readonly views: ThreadViewService,
    private readonly autoAssign: AutoAssignService,
  ) {}

  async schedule(chatId: string, until: Date): Promise<void> {
    await this.jobs.add(JobName.BridgeSnoozeWake, { chatId }, { jobId: wakeJobId(chatId, until), delayMs: Math.max(0, until.getTime() - Date.now()) });
  }

  /** Every snoozed thread gets its wake-up job again (a no-op for jobs still queued). */
  async rebuild(): Promise<number> {
    const snoozed = await this.snoozes.snoozed();
    for (const { chatId, snoozedUntil } of snoozed) if (snoozedUntil) await this.schedule(chatId, new Date(snoozedUntil));
    return snoozed.length;
  }

  async wake(chatId: string): Promise<JobOutcome> {
    const until = await this.snoozes.snoozedUntil(chatId);
    if (until && new Date(until).getTime() > Date.now()) {
      // Snoozed again for later, or this instance's clock runs ahead: the later job (or this one, then) opens it.
      return { retryAt: new Date(until) };
    }
    if (!(await this.snoozes.wakeIfDue(chatId))) return undefined;
    await this.autoAssign.assign(chatId);
    await this.views.announce(chatId);
    return undefined;
  }
}

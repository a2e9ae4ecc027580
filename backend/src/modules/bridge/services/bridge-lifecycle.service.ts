import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { JobName } from '@/core/jobs';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import { ReconcileService } from './reconcile.service';
import { SecretsService } from './secrets.service';
import { SnoozeService } from './snooze.service';
import { ThreadMembershipService } from './thread-membership.service';

/** What the bridge does when the app starts, and how it follows changes made elsewhere in the messenger. */
const STARTUP_RETRY_FIRST_MS = 500;
const STARTUP_RETRY_MAX_MS = 30_000;

@Injectable()
export class BridgeLifecycleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Bridge');
  private unsubscribe: Array<() => void> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventRepository,
    private readonly membership: ThreadMembershipService,
    private readonly reconcile: ReconcileService,
    private readonly secrets: SecretsService,
    private readonly jobs: JobRepository,
    private readonly snooze: SnoozeService,
  ) {}

  private stopped = false;
  private retry?: NodeJS.Timeout;

  onApplicationBootstrap(): void {
    this.unsubscribe.push(
      this.events.on('user.role-changed', () => {
        this.membership.syncAll().catch((error: unknown) => this.logger.error({ err: error }, 'inbox memberships not updated after a role change'));
      }),
    );
    if (this.config.role === 'api') return;
    // Wake-up jobs lost with Redis come back from the table; queued ones are not added twice.
    void this.snooze.rebuild().catch((error: unknown) => this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'snoozed threads not rescheduled'));
    // Not awaited: a provider that is slow or down must not hold the start of the app.
    this.startUpUntilDone(STARTUP_RETRY_FIRST_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    for (const off of this.unsubscribe) off();
  }

  /** The job queue may not be connected yet right after boot (adds are refused then): try again, backing off. */
  private startUpUntilDone(delayMs: number): void {
    this.startUp().catch((error: unknown) => {
      if (this.stopped) return;
      this.logger.warn({ err: error instanceof Error ? error.message : String(error), retryInMs: delayMs }, 'bridge start-up checks failed');
      this.retry = setTimeout(() => this.startUpUntilDone(Math.min(delayMs * 2, STARTUP_RETRY_MAX_MS)), delayMs);
      this.retry.unref();
    });
  }

  private async startUp(): Promise<void> {
    if (await this.secrets.hasStale()) {
      // Re-seal at once in the worker that started with the new key; the job is the fallback when that fails.
      await this.secrets.reencrypt().catch(() => this.jobs.add(JobName.BridgeReencrypt, {}, { jobId: `bridge-reencrypt-${Date.now()}` }));
    }
    if (!this.config.bridge.startupCheck) return;
    await this.reconcile.requeueStale();
    await this.reconcile.checkAll();
  }
}

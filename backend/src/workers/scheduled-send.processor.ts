import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { type JobHandler, JobName, type JobOutcome, type JobPayloads } from '@/core/jobs';
import { ScheduledMessageService } from '@/services/scheduled-message.service';

@Injectable()
export class ScheduledSendProcessor implements JobHandler<JobName.ScheduledSend>, OnApplicationBootstrap {
  readonly name = JobName.ScheduledSend;
  private readonly logger = new Logger('ScheduledMessages');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduled: ScheduledMessageService,
  ) {}

  handle({ scheduledId, version }: JobPayloads[JobName.ScheduledSend]): Promise<JobOutcome> {
    return this.scheduled.deliver(scheduledId, version);
  }

  onFinalFailure({ scheduledId }: JobPayloads[JobName.ScheduledSend], error: Error): Promise<void> {
    return this.scheduled.failed(scheduledId, error);
  }

  /** A worker starting up re-creates delayed jobs a lost or replaced Redis forgot, without waiting for the sweep. */
  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.scheduled.recover().catch((error: unknown) => this.logger.error({ err: error }, 'could not re-create scheduled jobs at start-up'));
  }
}

@Injectable()
export class ScheduledSweepProcessor implements JobHandler<JobName.ScheduledSweep> {
  readonly name = JobName.ScheduledSweep;

  constructor(private readonly scheduled: ScheduledMessageService) {}

  async handle(): Promise<void> {
    await this.scheduled.recover();
  }
}

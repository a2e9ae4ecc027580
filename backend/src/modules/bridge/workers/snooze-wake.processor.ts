import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobOutcome, type JobPayloads } from '@/core/jobs';
import { SnoozeService } from '@/modules/bridge/services/snooze.service';

@Injectable()
export class SnoozeWakeProcessor implements JobHandler<JobName.BridgeSnoozeWake> {
  readonly name = JobName.BridgeSnoozeWake;

  constructor(private readonly snooze: SnoozeService) {}

  handle(data: JobPayloads[JobName.BridgeSnoozeWake]): Promise<JobOutcome> {
    return this.snooze.wake(data.chatId);
  }
}

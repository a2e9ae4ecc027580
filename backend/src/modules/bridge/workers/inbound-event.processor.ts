import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobOutcome, type JobPayloads } from '@/core/jobs';
import { InboundService } from '@/modules/bridge/services/inbound.service';

@Injectable()
export class InboundEventProcessor implements JobHandler<JobName.BridgeInboundEvent> {
  readonly name = JobName.BridgeInboundEvent;

  constructor(private readonly inbound: InboundService) {}

  handle(data: JobPayloads[JobName.BridgeInboundEvent]): Promise<JobOutcome> {
    return this.inbound.process(data.eventId);
  }

  onFinalFailure(data: JobPayloads[JobName.BridgeInboundEvent], error: Error): Promise<void> {
    return this.inbound.failed(data.eventId, error);
  }
}

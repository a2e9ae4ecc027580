import { Injectable } from '@nestjs/common';
import { type JobContext, type JobHandler, JobName, type JobOutcome, type JobPayloads } from '@/core/jobs';
import { OutboundService } from '@/modules/bridge/services/outbound.service';

@Injectable()
export class DeliveryProcessor implements JobHandler<JobName.BridgeDelivery> {
  readonly name = JobName.BridgeDelivery;

  constructor(private readonly outbound: OutboundService) {}

  handle(data: JobPayloads[JobName.BridgeDelivery], context: JobContext): Promise<JobOutcome> {
    return this.outbound.deliver(data.deliveryId, data.generation, context);
  }

  onFinalFailure(data: JobPayloads[JobName.BridgeDelivery], error: Error): Promise<void> {
    return this.outbound.deliveryFailedForGood(data.deliveryId, data.generation, error);
  }
}

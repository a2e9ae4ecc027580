import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName } from '@/core/jobs';
import { OutboundService } from '@/modules/bridge/services/outbound.service';

@Injectable()
export class DeliverySweepProcessor implements JobHandler<JobName.BridgeDeliverySweep> {
  readonly name = JobName.BridgeDeliverySweep;

  constructor(private readonly outbound: OutboundService) {}

  async handle(): Promise<void> {
    await this.outbound.sweep();
  }
}

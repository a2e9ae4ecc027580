import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobPayloads } from '@/core/jobs';
import { ReconcileService } from '@/modules/bridge/services/reconcile.service';

@Injectable()
export class ReconcileProcessor implements JobHandler<JobName.BridgeReconcile> {
  readonly name = JobName.BridgeReconcile;

  constructor(private readonly reconcile: ReconcileService) {}

  async handle(data: JobPayloads[JobName.BridgeReconcile]): Promise<void> {
    await this.reconcile.reconcile(data.channelId);
  }
}

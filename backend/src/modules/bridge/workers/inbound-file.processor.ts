import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobPayloads } from '@/core/jobs';
import { InboundService } from '@/modules/bridge/services/inbound.service';

@Injectable()
export class InboundFileProcessor implements JobHandler<JobName.BridgeInboundFile> {
  readonly name = JobName.BridgeInboundFile;

  constructor(private readonly inbound: InboundService) {}

  handle(data: JobPayloads[JobName.BridgeInboundFile]): Promise<void> {
    return this.inbound.fetchFile(data);
  }
}

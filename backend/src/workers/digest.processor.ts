import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobOutcome, type JobPayloads } from '@/core/jobs';
import { DigestService } from '@/services/digest.service';

@Injectable()
export class DigestProcessor implements JobHandler<JobName.UserDigest> {
  readonly name = JobName.UserDigest;

  constructor(private readonly digests: DigestService) {}

  handle({ userId }: JobPayloads[JobName.UserDigest]): Promise<JobOutcome> {
    return this.digests.run(userId);
  }
}

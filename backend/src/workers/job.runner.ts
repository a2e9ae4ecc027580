import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JOB_HANDLERS, type JobHandler } from '@/core/jobs';
import { JobService } from '@/services/job.service';
import { CleanupProcessor } from './cleanup.processor';
import { DigestProcessor } from './digest.processor';
import { ThumbnailProcessor } from './thumbnail.processor';

/** Hands every processor to the job system at start-up; the job system refuses to start if one is missing. */
@Injectable()
export class JobRunner implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobService,
    private readonly thumbnails: ThumbnailProcessor,
    private readonly digests: DigestProcessor,
    private readonly cleanup: CleanupProcessor,
    @Inject(JOB_HANDLERS) private readonly moduleHandlers: JobHandler[],
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.jobs.start([this.thumbnails, this.digests, this.cleanup, ...this.moduleHandlers]);
  }
}

export const processors = [ThumbnailProcessor, DigestProcessor, CleanupProcessor, JobRunner];

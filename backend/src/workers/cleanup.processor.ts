import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName } from '@/core/jobs';
import { AttachmentService } from '@/services/attachment.service';

@Injectable()
export class CleanupProcessor implements JobHandler<JobName.UploadsCleanup> {
  readonly name = JobName.UploadsCleanup;

  constructor(private readonly attachments: AttachmentService) {}

  async handle(): Promise<void> {
    await this.attachments.cleanup();
  }
}

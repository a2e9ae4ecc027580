import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobPayloads, type RebuiltJob } from '@/core/jobs';
import { AttachmentService } from '@/services/attachment.service';

@Injectable()
export class ThumbnailProcessor implements JobHandler<JobName.AttachmentThumbnail> {
  readonly name = JobName.AttachmentThumbnail;

  constructor(private readonly attachments: AttachmentService) {}

  handle({ attachmentId }: JobPayloads[JobName.AttachmentThumbnail]): Promise<void> {
    return this.attachments.generateThumbnail(attachmentId);
  }

  rebuild(): Promise<Array<RebuiltJob<JobName.AttachmentThumbnail>>> {
    return this.attachments.thumbnailJobsToRebuild();
  }

  onFinalFailure({ attachmentId }: JobPayloads[JobName.AttachmentThumbnail], error: Error): Promise<void> {
    return this.attachments.thumbnailFailed(attachmentId, error);
  }
}

import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobPayloads } from '@/core/jobs';
import { AttachmentService } from '@/services/attachment.service';

@Injectable()
export class ThumbnailProcessor implements JobHandler<JobName.AttachmentThumbnail> {
  readonly name = JobName.AttachmentThumbnail;

  constructor(private readonly attachments: AttachmentService) {}

  handle({ attachmentId }: JobPayloads[JobName.AttachmentThumbnail]): Promise<void> {
    return this.attachments.generateThumbnail(attachmentId);
  }

  onFinalFailure({ attachmentId }: JobPayloads[JobName.AttachmentThumbnail], error: Error): Promise<void> {
    return this.attachments.thumbnailFailed(attachmentId, error);
  }
}

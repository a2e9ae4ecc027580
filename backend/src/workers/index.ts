import { CleanupProcessor } from './cleanup.processor';
import { DigestProcessor } from './digest.processor';
import { ScheduledSendProcessor, ScheduledSweepProcessor } from './scheduled-send.processor';
import { ThumbnailProcessor } from './thumbnail.processor';

/** Every job processor of the messenger. A new job kind is its processor file and its entry here; app.module hands them to the job system through JOB_HANDLERS. */
export const processors = [ThumbnailProcessor, DigestProcessor, CleanupProcessor, ScheduledSendProcessor, ScheduledSweepProcessor];

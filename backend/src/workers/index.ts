import type { Provider } from '@nestjs/common';
import { JOB_HANDLERS, type JobHandler } from '@/core/jobs';
import { CleanupProcessor } from './cleanup.processor';
import { DigestProcessor } from './digest.processor';
import { ScheduledSendProcessor, ScheduledSweepProcessor } from './scheduled-send.processor';
import { ThumbnailProcessor } from './thumbnail.processor';

/** Every job processor. A new job kind is its processor file and its entry here; the job system finds it through JOB_HANDLERS. */
const PROCESSORS = [ThumbnailProcessor, DigestProcessor, CleanupProcessor, ScheduledSendProcessor, ScheduledSweepProcessor];

export const processors: Provider[] = [
  ...PROCESSORS,
  { provide: JOB_HANDLERS, useFactory: (...handlers: JobHandler[]) => handlers, inject: PROCESSORS },
];

/*
 * ┌──────────────────────────────────────────────────────────────────────────────────────────┐
 * │ QUEUE AND JOB NAMES ARE PERSISTED DATA. Their values are Redis key names, repeatable      │
 * │ schedules and the names of jobs already waiting in Redis. NEVER rename or reuse a value:  │
 * │ add a new one, let the old queue drain, then remove the old one in a later release.       │
 * └──────────────────────────────────────────────────────────────────────────────────────────┘
 */

export enum QueueName {
  Media = 'media',
  Mail = 'mail',
  Maintenance = 'maintenance',
  Scheduled = 'scheduled',
  /** Webhook events from Telegram and Avito, one job per stored event: kept apart so a burst never waits behind files. */
  BridgeInbound = 'bridge-inbound',
  /** Slower bridge work: fetching customers' files, reconciliation, re-encryption. */
  Bridge = 'bridge',
  /** Sends to Telegram and Avito: mostly waiting on limits, so they never hold up media or mail. */
  BridgeOutbound = 'bridge-outbound',
  /** AI agent replies: each waits seconds on a model, so they never hold up deliveries or inbound events. */
  BridgeAi = 'bridge-ai',
}

export enum JobName {
  AttachmentThumbnail = 'attachment-thumbnail',
  UserDigest = 'user-digest',
  UploadsCleanup = 'uploads-cleanup',
  ScheduledSend = 'scheduled-send',
  ScheduledSweep = 'scheduled-sweep',
  BridgeInboundEvent = 'bridge-inbound-event',
  BridgeInboundFile = 'bridge-inbound-file',
  BridgeReconcile = 'bridge-reconcile',
  BridgeReencrypt = 'bridge-reencrypt',
  BridgeDelivery = 'bridge-delivery',
  BridgeDeliverySweep = 'bridge-delivery-sweep',
  BridgeSnoozeWake = 'bridge-snooze-wake',
  BridgeAiReply = 'bridge-ai-reply',
}

/** The payload of every job, by name: producers and processors share this one contract. */
export interface JobPayloads {
  [JobName.AttachmentThumbnail]: { attachmentId: string };
  [JobName.UserDigest]: { userId: string };
  [JobName.UploadsCleanup]: Record<string, never>;
  /** `version` is the row's version when the job was queued: an edited or rescheduled message has a newer job. */
  [JobName.ScheduledSend]: { scheduledId: string; version: number };
  [JobName.ScheduledSweep]: Record<string, never>;
  /** A stored row of inbound_events; the job id is `inbound-<eventId>`, so an event is queued once. */
  [JobName.BridgeInboundEvent]: { eventId: string };
  /** Fetch a customer's file from the provider into our storage as the attachment already shown as pending. */
  [JobName.BridgeInboundFile]: {
    channelId: string;
    chatId: string;
    messageId: string;
    position: number;
    fileName: string;
    contentType: string;
    source: { kind: 'telegram-file'; fileId: string } | { kind: 'url'; url: string } | { kind: 'avito-voice'; voiceId: string };
  };
  /** Pull what webhooks may have missed; one repeatable schedule per Avito channel. */
  [JobName.BridgeReconcile]: { channelId: string };
  /** Re-seal every channel secret with the current key after a key rotation. */
  [JobName.BridgeReencrypt]: Record<string, never>;
  /** `generation` changes on every redelivery or sweep, so a job from an older round does nothing. */
  [JobName.BridgeDelivery]: { deliveryId: string; generation: number };
  [JobName.BridgeDeliverySweep]: Record<string, never>;
  /** Opens a snoozed thread when its time comes; the job id carries the time, so a re-snooze adds a new job. */
  [JobName.BridgeSnoozeWake]: { chatId: string };
  /** The AI agent answers a customer's message; `receivedAt` (ms) starts the reply timeout. Job id `ai-<messageId>`. */
  [JobName.BridgeAiReply]: { chatId: string; messageId: string; receivedAt: number };
}

/** A job as a discriminated union, so `switch (job.name)` narrows `job.data`. */
export type JobItem = { [N in JobName]: { name: N; data: JobPayloads[N] } }[JobName];

/** Which queue carries which job; slow or bursty kinds get their own queue so they never starve the others. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.AttachmentThumbnail]: QueueName.Media,
  [JobName.UserDigest]: QueueName.Mail,
  [JobName.UploadsCleanup]: QueueName.Maintenance,
  // Its own queue, so a backlog of thumbnails or cleanup never makes a scheduled message late.
  [JobName.ScheduledSend]: QueueName.Scheduled,
  [JobName.ScheduledSweep]: QueueName.Maintenance,
  [JobName.BridgeInboundEvent]: QueueName.BridgeInbound,
  [JobName.BridgeInboundFile]: QueueName.Bridge,
  [JobName.BridgeReconcile]: QueueName.Bridge,
  [JobName.BridgeReencrypt]: QueueName.Maintenance,
  [JobName.BridgeDelivery]: QueueName.BridgeOutbound,
  [JobName.BridgeDeliverySweep]: QueueName.BridgeOutbound,
  [JobName.BridgeSnoozeWake]: QueueName.Bridge,
  [JobName.BridgeAiReply]: QueueName.BridgeAi,
};

export interface JobRetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** Options every job is added with unless its producer says otherwise. */
export function defaultJobOptions(policy: JobRetryPolicy) {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential' as const, delay: policy.backoffMs },
    // Completed jobs are only kept long enough to be seen in the board; failed ones for a week of debugging.
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/** Per-job overrides of those defaults. */
export const JOB_OPTIONS: Partial<
  Record<
    JobName,
    {
      removeOnComplete?: boolean | { age: number };
      removeOnFail?: boolean | { age: number };
      attempts?: number;
      backoff?: { type: 'exponential'; delay: number };
    }
  >
> = {
  // The job id is the per-user dedupe key, so it must be free again as soon as a digest job has finished.
  [JobName.UserDigest]: { removeOnComplete: true, removeOnFail: { age: 3600 } },
  // The contract: a transient provider error is tried 5 times in all, then the delivery is failed.
  // Waits for limits and 429s do not count: they move the job to delayed without spending an attempt.
  [JobName.BridgeDelivery]: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600 } },
  [JobName.BridgeDeliverySweep]: { removeOnComplete: true, removeOnFail: { age: 3600 } },
  // A reply is due within seconds: a failure falls back and hands off at once, so a late retry would only talk over people.
  [JobName.BridgeAiReply]: { attempts: 1, removeOnComplete: { age: 600 } },
};

/** What a handler may ask for besides success: run the same job again later (no attempt is spent). */
export type JobOutcome = void | { retryAt: Date };

/** Thrown by a handler when retrying cannot help (the input itself is bad): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface JobContext {
  id: string;
  attempt: number;
  maxAttempts: number;
}

/** A job that PostgreSQL says should exist, under the id it is always queued with (queueing it again is a no-op). */
export interface RebuiltJob<N extends JobName = JobName> {
  jobId: string;
  data: JobPayloads[N];
  delayMs?: number;
}

/** One per job name, in `workers/`; the job system refuses to start while a name has none. */
export interface JobHandler<N extends JobName = JobName> {
  readonly name: N;
  handle(data: JobPayloads[N], context: JobContext): Promise<JobOutcome>;
  /** Called once, after the last attempt failed; the place to mark the domain object as failed. */
  onFinalFailure?(data: JobPayloads[N], error: Error): Promise<void>;
  /**
   * For job kinds whose truth is in PostgreSQL: the jobs the database says are owed. The sweeper queues them
   * again periodically, so jobs lost with Redis's state (a crash without persistence, a FLUSHALL) come back.
   */
  rebuild?(): Promise<Array<RebuiltJob<N>>>;
}

/** Every processor of `workers/`, as one list: what the job system starts and the sweeper asks. */
export const JOB_HANDLERS = Symbol('JOB_HANDLERS');

/** For the admin board only: a function returning the live queue objects, without routing them through a service. */
export const JOB_QUEUES = Symbol('JOB_QUEUES');

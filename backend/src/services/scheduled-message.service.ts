import { Injectable, Logger } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest, conflict, DomainException, ErrorCode, notFound } from '@/core/errors';
import { JobName, type JobOutcome } from '@/core/jobs';
import { ChatRepository } from '@/repositories/chat.repository';
import { JobRepository } from '@/repositories/job.repository';
import { MessageRepository } from '@/repositories/message.repository';
import { ScheduledMessageRepository } from '@/repositories/scheduled-message.repository';
import type { ScheduledMessageRow } from '@/models/scheduled-message.entity';
import {
  type PostMessageDto,
  SCHEDULE_MAX_AHEAD_SECONDS,
  SCHEDULE_MIN_AHEAD_SECONDS,
  type ScheduledMessageListResponseDto,
  type ScheduledMessageResponseDto,
  toScheduledMessageResponse,
  type UpdateScheduledMessageDto,
} from '@/schemas/scheduled-message.dto';
import { MessageService } from './message.service';

const MS_PER_SECOND = 1000;
/** Rows per round trip when re-creating jobs. */
const SWEEP_BATCH = 500;

/** One job per row version: an edit queues a new id, so the old delayed job can never send the new text early. */
const jobId = (row: Pick<ScheduledMessageRow, 'id' | 'version'>) => `scheduled-${row.id}-${row.version}`;

@Injectable()
export class ScheduledMessageService {
  private readonly logger = new Logger('ScheduledMessages');

  constructor(
    private readonly scheduled: ScheduledMessageRepository,
    private readonly chats: ChatRepository,
    private readonly messages: MessageRepository,
    private readonly jobs: JobRepository,
    private readonly sender: MessageService,
  ) {}

  /** Stores a message to be sent at `sendAt`; the same clientId again answers the stored one (`created` false). */
  async schedule(auth: AuthContext, chatId: string, dto: PostMessageDto & { sendAt: string }): Promise<{ scheduled: ScheduledMessageResponseDto; created: boolean }> {
    const sendAt = this.checkSendAt(dto.sendAt);
    if (dto.attachmentIds?.length) throw badRequest('attachmentIds cannot be scheduled: send the files now, or schedule the text alone', ['attachmentIds']);
    if (!(await this.chats.findForMember(chatId, auth.userId))) throw notFound('Chat');
    const existing = await this.scheduled.findByClientId(auth.userId, dto.clientId);
    if (existing) return this.repeat(existing, chatId);
    if (await this.messages.findByClientId(auth.userId, dto.clientId)) throw badRequest('clientId was already used for a sent message', ['clientId']);
    if (dto.replyToId && !(await this.messages.existsInChat(dto.replyToId, chatId))) throw badRequest('replyToId must be a message of this chat', ['replyToId']);

    const row = await this.scheduled.insert({ chatId, senderId: auth.userId, clientId: dto.clientId, body: dto.body ?? '', replyToId: dto.replyToId ?? null, sendAt });
    if (!row) {
      // A concurrent request with the same clientId won the insert.
      const winner = await this.scheduled.findByClientId(auth.userId, dto.clientId);
      if (!winner) throw conflict('clientId is being used by another request');
      return this.repeat(winner, chatId);
    }
    await this.enqueue(row);
    return { scheduled: toScheduledMessageResponse(row), created: true };
  }

  async list(auth: AuthContext, chatId: string): Promise<ScheduledMessageListResponseDto> {
    if (!(await this.chats.findForMember(chatId, auth.userId))) throw notFound('Chat');
    return { items: (await this.scheduled.listPending(chatId, auth.userId)).map(toScheduledMessageResponse) };
  }

  async update(auth: AuthContext, chatId: string, id: string, dto: UpdateScheduledMessageDto): Promise<ScheduledMessageResponseDto> {
    if (dto.body === undefined && dto.sendAt === undefined) throw badRequest('give body or sendAt to change', ['body', 'sendAt']);
    const sendAt = dto.sendAt === undefined ? undefined : this.checkSendAt(dto.sendAt);
    const current = await this.requireOwn(auth, chatId, id);
    const updated = await this.scheduled.update(current.id, { body: dto.body, sendAt });
    if (!updated) throw conflict('the message has already been sent');
    await this.enqueue(updated);
    await this.jobs.remove(JobName.ScheduledSend, jobId(current)).catch(() => undefined);
    return toScheduledMessageResponse(updated);
  }

  async cancel(auth: AuthContext, chatId: string, id: string): Promise<void> {
    const current = await this.requireOwn(auth, chatId, id);
    if (!(await this.scheduled.deletePending(current.id))) throw conflict('the message has already been sent');
    // The row is gone, so a job that still fires finds nothing to send; removing it only keeps Redis tidy.
    await this.jobs.remove(JobName.ScheduledSend, jobId(current)).catch(() => undefined);
  }

  /**
   * The job: claims the row (only this version, only if unsent and due) and sends it through the normal send path, so
   * the seq is taken now and members are notified now. A second run — another worker after a stall, a re-created
   * job — sends nothing twice: the message's clientId is the scheduled one, unique per sender.
   */
  async deliver(scheduledId: string, version: number): Promise<JobOutcome> {
    const row = await this.scheduled.claim(scheduledId, version);
    if (!row) {
      const current = await this.scheduled.findById(scheduledId);
      // Fired early (a clock skew between hosts): come back at the time instead of sending before it.
      if (current && current.version === version && current.status === 'pending') return { retryAt: new Date(current.sendAt) };
      return;
    }
    const auth: AuthContext = { userId: row.senderId, username: row.senderUsername, role: row.senderRole };
    try {
      const { message } = await this.sender.send(auth, row.chatId, { clientId: row.clientId, body: row.body, ...(row.replyToId ? { replyToId: row.replyToId } : {}) });
      await this.scheduled.markSent(row.id, message.id);
    } catch (error) {
      // Not a member any more, or the chat is gone: retrying cannot help.
      if (error instanceof DomainException && (error.code === ErrorCode.NotFound || error.code === ErrorCode.BadRequest)) {
        await this.scheduled.markFailed(row.id, error.message);
        return;
      }
      throw error;
    }
  }

  async failed(scheduledId: string, error: Error): Promise<void> {
    await this.scheduled.markFailed(scheduledId, error.message);
  }

  /**
   * Re-creates the delayed job of every unsent message. Job ids are per row version, so a job that still exists in
   * Redis is left as it is; only ones Redis lost (a flushed or replaced Redis, a crash between insert and enqueue) come back.
   */
  async recover(): Promise<number> {
    let after: { sendAt: Date; id: string } | undefined;
    let total = 0;
    for (;;) {
      const rows = await this.scheduled.listUnsent(SWEEP_BATCH, after);
      if (rows.length === 0) break;
      await this.jobs.addBulk(
        rows.map((row) => ({
          name: JobName.ScheduledSend,
          data: { scheduledId: row.id, version: row.version },
          options: { jobId: jobId(row), delayMs: Math.max(0, new Date(row.sendAt).getTime() - Date.now()) },
        })),
      );
      total += rows.length;
      after = { sendAt: rows[rows.length - 1].sendAt, id: rows[rows.length - 1].id };
    }
    if (total > 0) this.logger.log(`checked the jobs of ${total} unsent scheduled messages`);
    return total;
  }

  private async enqueue(row: ScheduledMessageRow): Promise<void> {
    await this.jobs.add(
      JobName.ScheduledSend,
      { scheduledId: row.id, version: row.version },
      { jobId: jobId(row), delayMs: Math.max(1, new Date(row.sendAt).getTime() - Date.now()) },
    );
  }

  private repeat(row: ScheduledMessageRow, chatId: string) {
    // The key belongs to the sender across chats; reusing it elsewhere must not leak or move that message.
    if (row.chatId !== chatId) throw badRequest('clientId was already used for another chat', ['clientId']);
    return { scheduled: toScheduledMessageResponse(row), created: false };
  }

  private async requireOwn(auth: AuthContext, chatId: string, id: string): Promise<ScheduledMessageRow> {
    if (!(await this.chats.findForMember(chatId, auth.userId))) throw notFound('Chat');
    // Someone else's scheduled message does not exist for the caller.
    const row = await this.scheduled.findOwn(id, chatId, auth.userId);
    if (!row) throw notFound('Scheduled message');
    return row;
  }

  private checkSendAt(value: string): Date {
    const sendAt = new Date(value);
    const aheadSeconds = (sendAt.getTime() - Date.now()) / MS_PER_SECOND;
    if (aheadSeconds < SCHEDULE_MIN_AHEAD_SECONDS) throw badRequest(`sendAt must be at least ${SCHEDULE_MIN_AHEAD_SECONDS} seconds ahead`, ['sendAt']);
    if (aheadSeconds > SCHEDULE_MAX_AHEAD_SECONDS) throw badRequest('sendAt must be at most a year ahead', ['sendAt']);
    return sendAt;
  }
}

import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { DomainEvents } from '@/schemas/events';
import { JobName, type JobOutcome } from '@/core/jobs';
import { DigestRepository, type UnreadChat } from '@/repositories/digest.repository';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import { MailRepository } from '@/repositories/mail.repository';
import { PresenceRepository } from '@/repositories/presence.repository';

/** Bounds the per-process memory of recently scheduled recipients. */
const MAX_TRACKED = 100_000;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const preview = (body: string) => {
  const text = body.replace(/\s+/g, ' ').trim();
  if (!text) return '(attachment)';
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
};
const chatName = (c: UnreadChat) => c.title ?? c.lastSender;

/**
 * "You have unread messages" by e-mail: a member offline for DIGEST_OFFLINE_SECONDS with unread messages gets
 * one mail, at most one per DIGEST_INTERVAL_SECONDS, unless they switched it off.
 */
@Injectable()
export class DigestService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Digest');
  /** Recipient → until when a digest check is already queued; spares Redis a job add per message and member. */
  private readonly scheduled = new Map<string, number>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly digests: DigestRepository,
    private readonly presence: PresenceRepository,
    private readonly mail: MailRepository,
    private readonly jobs: JobRepository,
    private readonly events: EventRepository,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.on('message.created', (event) => {
      this.schedule(event).catch((error: unknown) => this.logger.warn({ err: error }, 'could not schedule digest checks'));
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * Queues one delayed check per recipient. The job id `digest-<user>` deduplicates across instances while a
   * check is pending; the local map only avoids asking Redis again for every message of a busy chat.
   */
  async schedule({ message, memberIds }: DomainEvents['message.created']): Promise<void> {
    const now = Date.now();
    const delayMs = this.config.digest.offlineSeconds * 1000;
    const recipients = memberIds.filter((id) => id !== message.senderId && (this.scheduled.get(id) ?? 0) <= now);
    if (recipients.length === 0) return;
    if (this.scheduled.size > MAX_TRACKED) for (const [id, until] of this.scheduled) if (until <= now) this.scheduled.delete(id);
    for (const id of recipients) this.scheduled.set(id, now + delayMs);
    await this.jobs.addBulk(
      recipients.map((userId) => ({ name: JobName.UserDigest, data: { userId }, options: { jobId: `digest-${userId}`, delayMs } })),
    );
  }

  /** The digest job. Asks to run again later while the user is online or away for too short a time. */
  async run(userId: string, now = Date.now()): Promise<JobOutcome> {
    const user = await this.digests.findRecipient(userId);
    if (!user || !user.emailDigest) return;
    const offlineMs = this.config.digest.offlineSeconds * 1000;
    const intervalMs = this.config.digest.intervalSeconds * 1000;

    const [state] = await this.presence.lookup([userId], now);
    const since = user.lastDigestAt ? new Date(user.lastDigestAt) : null;
    if (state?.online) {
      // They may leave without reading: look again later, but only while something is unread.
      const unread = await this.digests.unreadSince(userId, since, 1);
      return unread.length > 0 ? { retryAt: new Date(now + offlineMs) } : undefined;
    }
    const lastSeen = state?.lastSeenAt ?? 0;
    if (now - lastSeen < offlineMs) return { retryAt: new Date(lastSeen + offlineMs) };
    if (since && now - since.getTime() < intervalMs) return { retryAt: new Date(since.getTime() + intervalMs) };

    const chats = await this.digests.unreadSince(userId, since);
    if (chats.length === 0) return;
    const claim = await this.digests.claim(userId, this.config.digest.intervalSeconds);
    if (!claim) return;
    try {
      await this.mail.send({ to: user.email, ...this.compose(user.displayName, chats), messageId: `<digest-${userId}-${now}@messenger>` });
    } catch (error) {
      await this.digests.release(userId, claim.previous);
      throw error;
    }
  }

  private compose(name: string, chats: UnreadChat[]): { subject: string; text: string; html: string } {
    const total = chats.reduce((n, c) => n + c.unread, 0);
    const subject = `${total} unread message${total === 1 ? '' : 's'} in ${chats.length} chat${chats.length === 1 ? '' : 's'}`;
    const link = this.config.mail.publicUrl;
    const lines = chats.map((c) => `${chatName(c)} (${c.unread}): ${c.lastSender}: ${preview(c.lastBody)}`);
    const footer = 'You get this because you were away. Switch these e-mails off in the app settings.';
    const text = [`Hi ${name},`, '', `While you were away:`, ...lines.map((l) => `• ${l}`), '', `Open the messenger: ${link}`, '', footer].join('\n');
    const items = chats
      .map((c) => `<li><b>${escapeHtml(chatName(c))}</b> (${c.unread}) — ${escapeHtml(c.lastSender)}: ${escapeHtml(preview(c.lastBody))}</li>`)
      .join('');
    const html = `<p>Hi ${escapeHtml(name)},</p><p>While you were away:</p><ul>${items}</ul><p><a href="${escapeHtml(link)}">Open the messenger</a></p><p style="color:#666">${footer}</p>`;
    return { subject, text, html };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { badRequest, unauthorized } from '@/core/errors';
import { JobName } from '@/core/jobs';
import { jsonLimitViolation } from '@/core/json-limits';
import type { ChannelType } from '@/modules/bridge/repositories/channel-provider';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboundEventRepository } from '@/modules/bridge/repositories/inbound-event.repository';
import { SecretBoxRepository } from '@/modules/bridge/repositories/secret-box.repository';
import { JobRepository } from '@/repositories/job.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Compared against when the channel is unknown, so a miss costs the same as a wrong secret. */
const NO_SECRET_HASH = '0'.repeat(64);

export const inboundJobId = (eventId: string) => `inbound-${eventId}`;

/**
 * The dedupe key of an Avito message event: its message id, except that a deletion is a later event about the same
 * message and must not be taken for a replay of it.
 */
export const avitoEventKey = (messageId: string | number, type: unknown) => (type === 'deleted' ? `${messageId}:deleted` : String(messageId));

/** Headers worth keeping beside the raw event (observed only: Avito documents no signature to verify). */
const KEPT_HEADERS = ['x-avito-messenger-signature', 'content-type', 'user-agent'];

/**
 * The webhook hot path: authenticate, store the raw event once, queue its processing, answer. Nothing else happens
 * before the 200, so the provider never waits on our processing and a replay is a single indexed insert.
 */
@Injectable()
export class WebhookService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly channels: ChannelRepository,
    private readonly events: InboundEventRepository,
    private readonly box: SecretBoxRepository,
    private readonly jobs: JobRepository,
  ) {}

  async telegram(channelId: string, secretHeader: string | undefined, rawBody: unknown): Promise<void> {
    await this.authenticate('telegram', channelId, secretHeader);
    const update = this.parse(rawBody);
    const updateId = update.update_id;
    if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId)) throw badRequest('update_id must be an integer', ['update_id']);
    await this.store(channelId, String(updateId), update, {});
  }

  async avito(channelId: string, pathSecret: string | undefined, rawBody: unknown, headers: Record<string, string | string[] | undefined>): Promise<void> {
    await this.authenticate('avito', channelId, pathSecret);
    const body = this.parse(rawBody);
    const payload = body.payload as { value?: { id?: unknown; type?: unknown } } | undefined;
    const messageId = payload?.value?.id;
    // Avito's message id is the key (a poll finds the same message by it); an event without one is keyed by its own id.
    const externalId =
      typeof messageId === 'string' || typeof messageId === 'number'
        ? avitoEventKey(messageId, payload?.value?.type)
        : typeof body.id === 'string' || typeof body.id === 'number'
          ? `event:${body.id}`
          : `sha256:${this.box.hash(JSON.stringify(body))}`;
    const kept = Object.fromEntries(
      KEPT_HEADERS.map((h) => [h, headers[h]]).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    await this.store(channelId, externalId.slice(0, 128), body, kept);
  }

  /** Constant-time comparison of the presented secret's hash; unknown channel, missing or wrong secret look alike. */
  private async authenticate(type: ChannelType, channelId: string, presented: string | undefined): Promise<void> {
    const auth = UUID.test(channelId) ? await this.channels.webhookAuth(channelId) : null;
    const expected = auth && auth.type === type ? auth.webhookSecretHash : NO_SECRET_HASH;
    const matches = this.box.sameHash(this.box.hash(presented ?? ''), expected);
    if (!presented || !auth || auth.type !== type || !matches) throw unauthorized('Unknown channel or wrong webhook secret');
  }

  private parse(rawBody: unknown): Record<string, unknown> {
    let parsed: unknown = rawBody;
    if (typeof rawBody === 'string') {
      const violation = jsonLimitViolation(rawBody, this.config.json);
      if (violation) throw badRequest(`request body refused: ${violation}`);
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        throw badRequest('the body must be JSON');
      }
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('the body must be a JSON object');
    return parsed as Record<string, unknown>;
  }

  private async store(channelId: string, externalId: string, payload: unknown, headers: Record<string, string>): Promise<void> {
    const stored = await this.events.store({ channelId, externalId, payload, headers, source: 'webhook' });
    // A replay of an event still pending queues it again: its first job may have been lost between insert and enqueue.
    // The job id is the event, so a job that exists already is not added twice.
    if (stored.created || stored.result === 'pending') await this.enqueue(stored.id);
  }

  private batch: Array<{ eventId: string; done: (error?: unknown) => void }> = [];

  /**
   * The 200 waits until the job is queued, but requests that arrive together share one round trip to Redis:
   * under a burst that is most of the cost of a webhook.
   */
  private enqueue(eventId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ eventId, done: (error) => (error ? reject(error) : resolve()) });
      if (this.batch.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    try {
      await this.jobs.addBulk(batch.map(({ eventId }) => ({ name: JobName.BridgeInboundEvent as const, data: { eventId }, options: { jobId: inboundJobId(eventId) } })));
      for (const item of batch) item.done();
    } catch (error) {
      for (const item of batch) item.done(error);
    }
  }
}

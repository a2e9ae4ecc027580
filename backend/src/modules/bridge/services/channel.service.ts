import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext } from '@/core/auth';
import { badRequest, DomainException, ErrorCode, notFound, unprocessable } from '@/core/errors';
import { JobName } from '@/core/jobs';
import type { ChannelAiSettings, ChannelRow } from '@/modules/bridge/models/channel.model';
import { AvitoApiRepository } from '@/modules/bridge/repositories/avito-api.repository';
import {
  type ChannelCredentials,
  type ChannelProvider,
  type ChannelType,
  type ProviderChannel,
  ProviderError,
  type VerifiedAccount,
} from '@/modules/bridge/repositories/channel-provider';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { SecretBoxRepository } from '@/modules/bridge/repositories/secret-box.repository';
import { TelegramApiRepository } from '@/modules/bridge/repositories/telegram-api.repository';
import { WidgetSocketRepository } from '@/modules/bridge/repositories/widget-socket.repository';
import {
  type ChannelAiDto,
  type ChannelListResponseDto,
  type ChannelResponseDto,
  type CreateChannelDto,
  type SetChannelOperatorsDto,
  type SyncAcceptedDto,
  toChannelResponse,
  type UpdateChannelDto,
  webSettingsOf,
} from '@/modules/bridge/schemas/channel.dto';
import { JobRepository } from '@/repositories/job.repository';
import { UserService } from '@/services/user.service';
import { ChannelAccessService } from './channel-access.service';
import { ThreadMembershipService } from './thread-membership.service';

/** Telegram's secret_token allows 1-256 of A-Za-z0-9_-: 32 random bytes in base64url fit. */
const TELEGRAM_SECRET_BYTES = 32;
/** Avito signs nothing: the secret in the path is the whole authentication, 128 bits of it. */
const AVITO_SECRET_BYTES = 16;

export const credentialAad = (channelId: string) => `channel:${channelId}:credentials`;
export const secretAad = (channelId: string) => `channel:${channelId}:webhook-secret`;
export const reconcileSchedulerId = (channelId: string) => `bridge-reconcile-${channelId}`;

/** The stored AI settings with the request's fields laid over them; an enabled agent needs its model, prompt and fallback. */
export function aiSettingsOf(stored: ChannelAiSettings | null, dto: ChannelAiDto): ChannelAiSettings {
  const defined = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as Partial<ChannelAiSettings>;
  const merged: ChannelAiSettings = { enabled: false, mode: 'auto', model: '', systemPrompt: '', fallbackText: '', ...(stored ?? {}), ...defined };
  if (merged.handoffKeywords) merged.handoffKeywords = [...new Set(merged.handoffKeywords.map((k) => k.trim().toLowerCase()).filter(Boolean))];
  if (merged.enabled) {
    const missing = (['model', 'systemPrompt', 'fallbackText'] as const).filter((k) => !merged[k].trim());
    if (missing.length) throw badRequest(`an enabled AI agent needs ${missing.map((k) => `ai.${k}`).join(', ')}`, missing.map((k) => `ai.${k}`));
  }
  return merged;
}

@Injectable()
export class ChannelService {
  private readonly logger = new Logger('Channels');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly channels: ChannelRepository,
    private readonly box: SecretBoxRepository,
    private readonly telegram: TelegramApiRepository,
    private readonly avito: AvitoApiRepository,
    private readonly web: WidgetSocketRepository,
    private readonly jobs: JobRepository,
    private readonly access: ChannelAccessService,
    private readonly membership: ThreadMembershipService,
    private readonly users: UserService,
  ) {}

  provider(type: ChannelType): ChannelProvider {
    return type === 'telegram' ? this.telegram : type === 'avito' ? this.avito : this.web;
  }

  /** The channel with its credentials opened, for provider calls; null when it is gone. */
  async providerChannel(channelId: string): Promise<ProviderChannel | null> {
    const row = await this.channels.findById(channelId);
    return row ? this.toProviderChannel(row) : null;
  }

  toProviderChannel(row: ChannelRow): ProviderChannel {
    const credentials = JSON.parse(this.box.open(row.credentialsSealed, credentialAad(row.id))) as ChannelCredentials;
    return { id: row.id, type: row.type, externalAccountId: row.externalAccountId, credentials };
  }

  webhookSecret(row: ChannelRow): string {
    return this.box.open(row.webhookSecretSealed, secretAad(row.id));
  }

  /** Where the provider calls us; for Avito the secret is part of it. */
  webhookUrl(row: Pick<ChannelRow, 'id' | 'type'>, secret: string): string {
    const base = this.requirePublicUrl();
    return row.type === 'telegram' ? `${base}/api/v1/webhooks/telegram/${row.id}` : `${base}/api/v1/webhooks/avito/${row.id}/${secret}`;
  }

  async create(auth: AuthContext, dto: CreateChannelDto): Promise<ChannelResponseDto> {
    await this.access.requireAdmin(auth);
    const publicUrl = this.requirePublicUrl();
    const name = dto.name.trim();
    if (!name) throw badRequest('name must contain a non-space character', ['name']);
    if (dto.operatorAlerts && dto.type !== 'telegram') throw badRequest('only a Telegram channel can send operator alerts', ['operatorAlerts']);
    if (dto.type === 'web') return this.createWeb(auth, name, dto, publicUrl);
    const credentials = this.credentialsOf(dto.type, dto);
    const ai = dto.ai ? aiSettingsOf(null, dto.ai) : null;
    const account = await this.verify(credentials);

    const id = this.channels.newId();
    const secret = this.box.randomSecret(dto.type === 'telegram' ? TELEGRAM_SECRET_BYTES : AVITO_SECRET_BYTES);
    const providerChannel: ProviderChannel = { id, type: dto.type, externalAccountId: account.externalAccountId, credentials };
    await this.register(providerChannel, secret);
    let row: ChannelRow;
    try {
      row = await this.channels.create({
        id,
        type: dto.type,
        name,
        externalAccountId: account.externalAccountId,
        credentialsSealed: this.box.seal(JSON.stringify(credentials), credentialAad(id)),
        webhookSecretSealed: this.box.seal(secret, secretAad(id)),
        webhookSecretHash: this.box.hash(secret),
        createdBy: auth.userId,
        settings: dto.operatorAlerts ? { operatorAlerts: true } : {},
        ai,
      });
    } catch (error) {
      // The provider would otherwise keep calling a channel that does not exist.
      await this.provider(dto.type).unregisterWebhook(providerChannel).catch(() => undefined);
      throw error;
    }
    if (row.type === 'avito') await this.scheduleReconcile(row.id);
    return toChannelResponse(row, []);
  }

  /** A site's widget: nothing to verify or register with anyone, visitors come to us from the allowed origins. */
  private async createWeb(auth: AuthContext, name: string, dto: CreateChannelDto, publicUrl: string): Promise<ChannelResponseDto> {
    const id = this.channels.newId();
    // The columns are shared with provider channels; a web channel's secret is never handed out nor checked.
    const secret = this.box.randomSecret(AVITO_SECRET_BYTES);
    const row = await this.channels.create({
      id,
      type: 'web',
      name,
      externalAccountId: id,
      credentialsSealed: this.box.seal(JSON.stringify({ type: 'web' }), credentialAad(id)),
      webhookSecretSealed: this.box.seal(secret, secretAad(id)),
      webhookSecretHash: this.box.hash(secret),
      createdBy: auth.userId,
      ai: dto.ai ? aiSettingsOf(null, dto.ai) : null,
      settings: this.webSettings({ allowedOrigins: [] }, dto),
    });
    return toChannelResponse(row, [], publicUrl);
  }

  /** Origins compared as browsers send them: lower-case, without a trailing slash. */
  private webSettings(current: Record<string, unknown>, dto: Pick<CreateChannelDto, 'allowedOrigins' | 'greeting' | 'theme'>): Record<string, unknown> {
    const next = { ...current };
    if (dto.allowedOrigins !== undefined) next.allowedOrigins = [...new Set(dto.allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')))];
    if (dto.greeting !== undefined) next.greeting = dto.greeting.trim() || null;
    if (dto.theme !== undefined) next.theme = { ...(dto.theme.color ? { color: dto.theme.color } : {}), ...(dto.theme.position ? { position: dto.theme.position } : {}) };
    return next;
  }

  /** What a visitor's widget may know of a live web channel; null for anything else. */
  async webChannel(channelId: string): Promise<(ChannelRow & { web: ReturnType<typeof webSettingsOf> }) | null> {
    const row = await this.channels.findById(channelId);
    if (!row || row.type !== 'web') return null;
    return { ...row, web: webSettingsOf(row) };
  }

  async list(auth: AuthContext): Promise<ChannelListResponseDto> {
    const visible = await this.access.visibleChannelIds(auth);
    const rows = visible === null ? await this.channels.list() : await this.channels.list(auth.userId);
    const operators = await this.channels.operatorIdsOf(rows.map((r) => r.id));
    return { items: rows.map((r) => toChannelResponse(r, operators.get(r.id) ?? [], this.config.bridge.publicUrl)) };
  }

  async get(auth: AuthContext, channelId: string): Promise<ChannelResponseDto> {
    const row = await this.access.requireChannel(auth, channelId);
    return toChannelResponse(row, await this.channels.operatorIds(channelId), this.config.bridge.publicUrl);
  }

  async update(auth: AuthContext, channelId: string, dto: UpdateChannelDto): Promise<ChannelResponseDto> {
    await this.access.requireAdmin(auth);
    const row = await this.channels.findById(channelId);
    if (!row) throw notFound('Channel');
    const name = dto.name?.trim();
    if (dto.name !== undefined && !name) throw badRequest('name must contain a non-space character', ['name']);

    const wantsTelegram = dto.botToken !== undefined;
    const wantsAvito = dto.clientId !== undefined || dto.clientSecret !== undefined;
    const wantsWeb = dto.allowedOrigins !== undefined || dto.greeting !== undefined || dto.theme !== undefined;
    let changes: Parameters<ChannelRepository['update']>[1] = { name };
    if (wantsWeb && row.type !== 'web') throw badRequest('allowedOrigins, greeting and theme belong to web channels', ['allowedOrigins']);
    if (row.type === 'web' && (wantsTelegram || wantsAvito)) throw badRequest('a web channel has no credentials', wantsTelegram ? ['botToken'] : ['clientId']);
    if (wantsWeb) changes = { ...changes, settings: this.webSettings(row.settings, dto) };
    if (wantsTelegram || wantsAvito) {
      if ((wantsTelegram && row.type !== 'telegram') || (wantsAvito && row.type !== 'avito')) {
        throw badRequest(`a ${row.type} channel takes ${row.type === 'telegram' ? 'botToken' : 'clientId and clientSecret'}`, wantsTelegram ? ['botToken'] : ['clientId']);
      }
      this.requirePublicUrl();
      const old = this.toProviderChannel(row);
      const merged = row.type === 'telegram' ? { botToken: dto.botToken } : { clientId: dto.clientId ?? (old.credentials as { clientId: string }).clientId, clientSecret: dto.clientSecret ?? (old.credentials as { clientSecret: string }).clientSecret };
      const credentials = this.credentialsOf(row.type, merged);
      const account = await this.verify(credentials);
      const secret = this.webhookSecret(row);
      const next: ProviderChannel = { id: row.id, type: row.type, externalAccountId: account.externalAccountId, credentials };
      await this.register(next, secret);
      // A different bot or account no longer delivers to us through the old registration.
      if (account.externalAccountId !== row.externalAccountId) await this.provider(row.type).unregisterWebhook(old).catch(() => undefined);
      changes = {
        ...changes,
        externalAccountId: account.externalAccountId,
        credentialsSealed: this.box.seal(JSON.stringify(credentials), credentialAad(row.id)),
        status: 'active',
        statusReason: null,
      };
    }
    if (dto.operatorAlerts && row.type !== 'telegram') throw badRequest('only a Telegram channel can send operator alerts', ['operatorAlerts']);
    if (dto.ai !== undefined) changes = { ...changes, ai: aiSettingsOf(row.ai, dto.ai) };
    if (dto.autoAssign !== undefined || dto.operatorAlerts !== undefined) {
      const settings = { ...(changes.settings ?? row.settings), ...(dto.autoAssign !== undefined ? { autoAssign: dto.autoAssign } : {}), ...(dto.operatorAlerts !== undefined ? { operatorAlerts: dto.operatorAlerts } : {}) };
      changes = { ...changes, settings };
    }
    const updated = await this.channels.update(channelId, changes);
    if (!updated) throw notFound('Channel');
    return toChannelResponse(updated, await this.channels.operatorIds(channelId), this.config.bridge.publicUrl);
  }

  async delete(auth: AuthContext, channelId: string): Promise<void> {
    await this.access.requireAdmin(auth);
    const row = await this.channels.findById(channelId);
    if (!row) throw notFound('Channel');
    // Marked deleted first: a reconciliation running meanwhile then sees it gone and does not register it again.
    await this.channels.softDelete(channelId);
    if (row.type === 'web') return;
    try {
      const channel = this.toProviderChannel(row);
      if (row.type === 'avito') await this.avito.unregisterWebhook(channel, this.webhookUrl(row, this.webhookSecret(row)));
      else await this.telegram.unregisterWebhook(channel);
    } catch (error) {
      // The channel goes anyway: its webhooks stop authenticating the moment the row is marked deleted.
      this.logger.warn({ channelId, err: error instanceof Error ? error.message : String(error) }, 'could not unregister the webhook');
    }
    if (row.type === 'avito') await this.jobs.unschedule(JobName.BridgeReconcile, reconcileSchedulerId(channelId)).catch(() => undefined);
  }

  async setOperators(auth: AuthContext, channelId: string, dto: SetChannelOperatorsDto): Promise<ChannelResponseDto> {
    await this.access.requireAdmin(auth);
    const row = await this.channels.findById(channelId);
    if (!row) throw notFound('Channel');
    if ((await this.users.countExisting(dto.userIds)) !== dto.userIds.length) throw badRequest('userIds contains an unknown user', ['userIds']);
    await this.channels.setOperators(channelId, dto.userIds);
    await this.membership.syncChannel(channelId);
    return toChannelResponse(row, await this.channels.operatorIds(channelId), this.config.bridge.publicUrl);
  }

  async sync(auth: AuthContext, channelId: string): Promise<SyncAcceptedDto> {
    await this.access.requireAdmin(auth);
    const row = await this.channels.findById(channelId);
    if (!row) throw notFound('Channel');
    await this.jobs.add(JobName.BridgeReconcile, { channelId }, { jobId: `reconcile-now-${channelId}-${Date.now()}` });
    return { queued: true };
  }

  async scheduleReconcile(channelId: string): Promise<void> {
    await this.jobs.schedule(JobName.BridgeReconcile, { channelId }, this.config.bridge.reconcileSeconds * 1000, reconcileSchedulerId(channelId));
  }

  /** At start-up: every channel's webhook is where it should be, or is put back. */
  async ensureWebhook(row: ChannelRow): Promise<'ok' | 'restored'> {
    if (row.type === 'web') return 'ok';
    const channel = this.toProviderChannel(row);
    const secret = this.webhookSecret(row);
    const url = this.webhookUrl(row, secret);
    if (await this.provider(row.type).isWebhookRegistered(channel, url)) return 'ok';
    // Deleted while we looked: its webhook is meant to be gone.
    if (!(await this.channels.findById(row.id))) return 'ok';
    await this.provider(row.type).registerWebhook(channel, url, secret);
    return 'restored';
  }

  private async register(channel: ProviderChannel, secret: string): Promise<void> {
    try {
      await this.provider(channel.type).registerWebhook(channel, this.webhookUrl(channel, secret), secret);
    } catch (error) {
      throw this.providerProblem(error, channel.type, 'registering the webhook');
    }
  }

  private async verify(credentials: ChannelCredentials): Promise<VerifiedAccount> {
    try {
      return await this.provider(credentials.type).verify(credentials);
    } catch (error) {
      throw this.providerProblem(error, credentials.type, 'checking the credentials');
    }
  }

  /** A provider refusal becomes a 422 naming the field; an unreachable provider a 503. Never echoes a credential. */
  private providerProblem(error: unknown, type: ChannelType, doing: string): DomainException {
    if (!(error instanceof ProviderError)) return new DomainException(ErrorCode.Unavailable, `${type === 'telegram' ? 'Telegram' : 'Avito'} failed while ${doing}`);
    const failure = error.failure;
    if (failure.kind === 'rejected' || failure.kind === 'blocked') {
      if (type === 'telegram') return unprocessable(`botToken was refused by Telegram: ${failure.description}`, ['botToken']);
      // Avito says which one it did not accept ("client not found" / "invalid client secret") in its description.
      const field = /secret/i.test(failure.description) ? ['clientSecret'] : /client|not found/i.test(failure.description) ? ['clientId'] : ['clientId', 'clientSecret'];
      return unprocessable(`${field.join(' or ')} was refused by Avito: ${failure.description}`, field);
    }
    return new DomainException(ErrorCode.Unavailable, `${type === 'telegram' ? 'Telegram' : 'Avito'} could not be reached while ${doing}; try again`);
  }

  private credentialsOf(type: ChannelType, dto: { botToken?: string; clientId?: string; clientSecret?: string }): ChannelCredentials {
    if (type === 'web') return { type };
    if (type === 'telegram') {
      const botToken = dto.botToken?.trim();
      if (!botToken) throw badRequest('botToken is required for a Telegram channel', ['botToken']);
      return { type, botToken };
    }
    const clientId = dto.clientId?.trim();
    const clientSecret = dto.clientSecret?.trim();
    if (!clientId) throw badRequest('clientId is required for an Avito channel', ['clientId']);
    if (!clientSecret) throw badRequest('clientSecret is required for an Avito channel', ['clientSecret']);
    return { type, clientId, clientSecret };
  }

  private requirePublicUrl(): string {
    const url = this.config.bridge.publicUrl;
    if (!url) throw unprocessable('PUBLIC_URL is not set: providers need it to call this server back; set PUBLIC_URL and restart', ['PUBLIC_URL']);
    return url;
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext } from '@/core/auth';
import { DomainException, ErrorCode, notFound, unprocessable } from '@/core/errors';
import type { ChannelRow } from '@/modules/bridge/models/channel.model';
import { TelegramLoginRepository } from '@/modules/bridge/repositories/telegram-login.repository';
import type { TelegramLinkCodeDto, TelegramSignInDto } from '@/modules/bridge/schemas/telegram-link.dto';
import type { AuthResponseDto } from '@/schemas/auth.dto';
import { AuthService } from '@/services/auth.service';
import { UserService } from '@/services/user.service';
import { ChannelAccessService } from './channel-access.service';
import { ChannelService } from './channel.service';

const LINK_TTL_SECONDS = 600;
const START = /^\/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})\s*$/;

/**
 * Operators' Telegram accounts: linked by the bot's `/start <code>` deep link, and used to sign in to the Mini App
 * with Telegram's signed initData instead of a password.
 */
@Injectable()
export class TelegramLinkService {
  private readonly logger = new Logger('TelegramLink');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logins: TelegramLoginRepository,
    private readonly access: ChannelAccessService,
    private readonly channels: ChannelService,
    private readonly users: UserService,
    private readonly auth: AuthService,
  ) {}

  async createLink(auth: AuthContext, channelId: string): Promise<TelegramLinkCodeDto> {
    const row = await this.access.requireChannel(auth, channelId);
    if (row.type !== 'telegram') throw unprocessable('only a Telegram channel can link a Telegram account', ['channelId']);
    const channel = await this.channels.providerChannel(row.id);
    if (!channel) throw notFound('Channel');
    const bot = await this.channels.provider('telegram').verify(channel.credentials);
    const { code, expiresAt } = await this.logins.createCode(auth.userId, row.id, LINK_TTL_SECONDS);
    return { code, url: `https://t.me/${bot.username}?start=${code}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  async unlink(auth: AuthContext): Promise<void> {
    if (!(await this.users.unlinkTelegram(auth))) throw notFound('Telegram link');
  }

  /**
   * An update to a Telegram channel's bot that is meant for the product, not a customer message: `/start <code>`.
   * Returns true when it was handled here (and must not become a message in a thread).
   */
  async handleUpdate(row: ChannelRow, payload: Record<string, unknown>): Promise<boolean> {
    const message = payload.message as { text?: string; chat?: { id: number; type?: string }; from?: { id: number; username?: string } } | undefined;
    const match = message?.text ? START.exec(message.text) : null;
    if (!match || !message?.from || !message.chat) return false;
    const userId = await this.logins.consumeCode(match[1], row.id);
    const answer = userId
      ? `Linked to ${await this.users.linkTelegram(userId, { userId: String(message.from.id), username: message.from.username ?? null })}`
      : 'This link is expired or was already used. Open the messenger and make a new one.';
    const channel = await this.channels.providerChannel(row.id);
    if (channel) {
      await this.channels
        .provider('telegram')
        .sendText(channel, { externalChatId: String(message.chat.id), text: answer })
        .catch((error: Error) => this.logger.warn({ err: error, channelId: row.id }, 'link answer not sent'));
    }
    return true;
  }

  async signIn(dto: TelegramSignInDto): Promise<AuthResponseDto> {
    const channel = await this.channels.providerChannel(dto.channelId);
    if (!channel || channel.credentials.type !== 'telegram') throw new DomainException(ErrorCode.InitDataBadSignature, 'initData is not signed by this channel\'s bot');
    const check = await this.logins.checkInitData(dto.initData, channel.credentials.botToken, {
      publicKeyHex: this.config.bridge.initDataPublicKey,
      telegramTestKeys: this.config.bridge.initDataTestKeys,
    });
    if (!check.ok) throw new DomainException(ErrorCode.InitDataBadSignature, 'initData is malformed or its signature does not verify');
    const age = (Date.now() - check.authDate.getTime()) / 1000;
    if (age > this.config.bridge.initDataMaxAgeSeconds) {
      throw new DomainException(ErrorCode.InitDataExpired, `initData is ${Math.floor(age)} s old; at most ${this.config.bridge.initDataMaxAgeSeconds} s is accepted`);
    }
    const user = await this.users.findByTelegramId(check.user.id);
    if (!user) throw new DomainException(ErrorCode.TelegramNotLinked, 'this Telegram account is not linked to any account: link it first from the messenger');
    return this.auth.signInAs(user.id);
  }

  /** The media cookie is bound to the sign-in's family, which the access token names. */
  mediaToken(accessToken: string): { token: string; maxAgeSeconds: number } {
    return this.auth.issueMediaToken(accessToken);
  }
}

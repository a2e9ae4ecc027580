import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext, ClientInfo } from '@/core/auth';
import { conflict, rateLimited, unauthorized } from '@/core/errors';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { RefreshTokenRepository } from '@/repositories/refresh-token.repository';
import { UserRepository } from '@/repositories/user.repository';
import type { AuthResponseDto, LoginDto, RegisterDto } from '@/schemas/auth.dto';
import { toUserResponse } from '@/schemas/user.dto';
import type { UserEntity } from '@/models/user.entity';

const BAD_CREDENTIALS = 'Invalid login or password';

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly crypto: CryptoRepository,
    private readonly rateLimits: RateLimitRepository,
  ) {}

  async register(dto: RegisterDto, client: ClientInfo): Promise<AuthResponseDto> {
    const limit = this.config.rateLimits.register;
    const hit = await this.rateLimits.hit('register-ip', client.ip, limit.windowSeconds);
    if (hit.count > limit.limit) throw rateLimited(hit.retryAfterSeconds);

    const email = dto.email.trim();
    const username = dto.username.trim();
    const taken = await this.users.findTaken(email, username);
    if (taken.email) throw conflict('email is already registered');
    if (taken.username) throw conflict('username is already taken');

    const passwordHash = await this.crypto.hashPassword(dto.password);
    let user: UserEntity;
    try {
      user = await this.users.create({ email, username, displayName: dto.displayName?.trim() || username, passwordHash });
    } catch (error) {
      // A concurrent registration won the unique index between the check and the insert.
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw conflict('email or username is already taken');
      }
      throw error;
    }
    return this.issue(user, this.crypto.uuid());
  }

  async login(dto: LoginDto, client: ClientInfo): Promise<AuthResponseDto> {
    const limit = this.config.rateLimits.loginFailures;
    const login = dto.login.trim().toLowerCase();
    const user = await this.users.findByLoginWithHash(login);
    // Keyed by the account, not the typed login, so alternating e-mail and username does not double the budget.
    const account = user ? `user:${user.id}` : `login:${login}`;
    // Every attempt reserves a slot before the password is checked, so a burst of parallel guesses cannot
    // all pass a check made before any of them failed; a success gives its slot back.
    const [byAccount, byIp] = await Promise.all([
      this.rateLimits.hit('login-fail-account', account, limit.windowSeconds),
      this.rateLimits.hit('login-fail-ip', client.ip, limit.windowSeconds),
    ]);
    const blocked = [byAccount, byIp].find((w) => w.count > limit.limit);
    if (blocked) throw rateLimited(blocked.retryAfterSeconds);

    // Verify against a hash even for unknown users, so timing does not reveal which accounts exist.
    const ok = user ? await this.crypto.verifyPassword(user.passwordHash, dto.password) : await this.burnTime(dto.password);
    if (!user || !ok) throw unauthorized(BAD_CREDENTIALS);
    await Promise.all([this.rateLimits.release('login-fail-account', account), this.rateLimits.release('login-fail-ip', client.ip)]);
    return this.issue(user, this.crypto.uuid());
  }

  /** Signs in a user whose identity another proof established (a Telegram Mini App's signed initData). */
  async signInAs(userId: string): Promise<AuthResponseDto> {
    const user = await this.users.findById(userId);
    if (!user) throw unauthorized('the account no longer exists');
    return this.issue(user, this.crypto.uuid());
  }

  async refresh(refreshToken: string): Promise<AuthResponseDto> {
    const result = await this.refreshTokens.spend(this.crypto.sha256(refreshToken));
    if (result.status === 'reused') {
      // A spent token presented again means it leaked: end every session descended from it.
      await this.refreshTokens.revokeFamily(result.token.familyId);
      throw unauthorized('Refresh token was already used; sign in again');
    }
    if (result.status === 'invalid') throw unauthorized('Invalid or expired refresh token');
    const user = await this.users.findById(result.token.userId);
    if (!user) throw unauthorized('Invalid or expired refresh token');
    return this.issue(user, result.token.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    const token = await this.refreshTokens.findByHash(this.crypto.sha256(refreshToken));
    if (token) await this.refreshTokens.revokeFamily(token.familyId);
  }

  /** Verifies an access token for transports that do not go through passport (the socket handshake). */
  verifyAccessToken(token: string): AuthContext | null {
    const claims = this.crypto.verifyAccessToken(token);
    if (!claims?.sub) return null;
    return { userId: claims.sub, username: claims.username, role: claims.role };
  }

  /**
   * `<userId>.<expiry>.<signature>` for the media cookie, which lets <img> tags and download links reach the
   * attachment routes (a browser cannot add a bearer header to them); membership is still checked per request.
   */
  issueMediaToken(userId: string): { token: string; maxAgeSeconds: number } {
    const maxAgeSeconds = this.config.uploads.mediaTokenTtlSeconds;
    const payload = `${userId}.${Math.floor(Date.now() / 1000) + maxAgeSeconds}`;
    return { token: `${payload}.${this.crypto.hmac('media', payload)}`, maxAgeSeconds };
  }

  /** The user id of a valid, unexpired media token. */
  verifyMediaToken(token: string): string | null {
    const [userId, expiry, signature, extra] = token.split('.');
    if (!userId || !expiry || !signature || extra !== undefined) return null;
    if (!this.crypto.safeEqual(signature, this.crypto.hmac('media', `${userId}.${expiry}`))) return null;
    return Number(expiry) * 1000 > Date.now() ? userId : null;
  }

  private async issue(user: UserEntity, familyId: string): Promise<AuthResponseDto> {
    const refreshToken = this.crypto.randomToken();
    await this.refreshTokens.create({
      userId: user.id,
      familyId,
      tokenHash: this.crypto.sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.auth.refreshTtlSeconds * 1000),
    });
    return {
      user: toUserResponse(user),
      accessToken: this.crypto.signAccessToken({ sub: user.id, username: user.username, role: user.role }),
      refreshToken,
      expiresIn: this.config.auth.accessTtlSeconds,
    };
  }

  private dummyHash?: Promise<string>;
  private async burnTime(password: string): Promise<false> {
    this.dummyHash ??= this.crypto.hashPassword(this.crypto.randomToken());
    await this.crypto.verifyPassword(await this.dummyHash, password);
    return false;
  }
}

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { AUTH_CACHE_MS, UUID_PATTERN, type AccessTokenClaims, type AuthContext, type ClientInfo } from '@/core/auth';
import { TtlCache } from '@/core/ttl-cache';
import { conflict, rateLimited, unauthorized } from '@/core/errors';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { RefreshTokenRepository } from '@/repositories/refresh-token.repository';
import { UserRepository } from '@/repositories/user.repository';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import type { AuthResponseDto, LoginDto, RegisterDto } from '@/schemas/auth.dto';
import { toUserResponse } from '@/schemas/user.dto';
import type { UserEntity } from '@/models/user.entity';
import { epochSeconds, secondsToMs } from '@/core/time';

const BAD_CREDENTIALS = 'Invalid login or password';

/** What a caller is made of: the rest of the row (hash, e-mail, dates) would only sit in the cache. */
type CachedUser = Pick<UserEntity, 'id' | 'username' | 'role'>;

@Injectable()
export class AuthService implements OnModuleInit {
  /**
   * A deleted or demoted user loses access within AUTH_CACHE_MS, without a query per request. It holds an entry per
   * user who connected or called lately (thousands with as many sockets), so only the fields a caller needs.
   */
  private readonly userCache = new TtlCache<CachedUser | null>(AUTH_CACHE_MS);
  private readonly familyCache = new TtlCache<boolean>(AUTH_CACHE_MS);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly crypto: CryptoRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly websocket: WebsocketRepository,
  ) {}

  onModuleInit() {
    // Another instance revoked a family: forget that it was alive here too.
    this.websocket.onSessionEnded((familyId) => this.familyCache.set(familyId, false));
  }

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
    // Keyed by the account, not the typed login, so alternating e-mail and username does not double the budget;
    // and by the IP too, so failures from elsewhere never lock the owner out (ASVS V2.2.1: no lockout a stranger can renew).
    const account = `${user ? `user:${user.id}` : `login:${login}`}@${client.ip}`;
    // Every attempt reserves a slot before the password is checked, so a burst of parallel guesses cannot
    // all pass a check made before any of them failed; a success gives its slot back. An IP over its limit is
    // refused before the account is touched, so its attempts never count against the account.
    const byIp = await this.rateLimits.hit('login-fail-ip', client.ip, limit.windowSeconds);
    if (byIp.count > limit.limit) throw rateLimited(byIp.retryAfterSeconds);
    const byAccount = await this.rateLimits.hit('login-fail-account-ip', account, limit.windowSeconds);
    if (byAccount.count > limit.limit) throw rateLimited(byAccount.retryAfterSeconds);

    // Verify against a hash even for unknown users, so timing does not reveal which accounts exist.
    const ok = user ? await this.crypto.verifyPassword(user.passwordHash, dto.password) : await this.burnTime(dto.password);
    if (!user || !ok) throw unauthorized(BAD_CREDENTIALS);
    await Promise.all([this.rateLimits.release('login-fail-account-ip', account), this.rateLimits.release('login-fail-ip', client.ip)]);
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
      await this.endFamily(result.token.familyId);
      throw unauthorized('Refresh token was already used; sign in again');
    }
    if (result.status === 'invalid') throw unauthorized('Invalid or expired refresh token');
    const user = await this.users.findById(result.token.userId);
    if (!user) throw unauthorized('Invalid or expired refresh token');
    return this.issue(user, result.token.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    const token = await this.refreshTokens.findByHash(this.crypto.sha256(refreshToken));
    if (token) await this.endFamily(token.familyId);
  }

  /** Verifies an access token for transports that do not go through passport (sockets, the media routes, the queue board). */
  async authenticate(token: string): Promise<AuthContext | null> {
    const claims = this.crypto.verifyAccessToken(token);
    return claims ? this.authenticateClaims(claims) : null;
  }

  /**
   * Claims whose signature was already checked become a caller only when the token expires, names a user by UUID
   * who still exists (their current role, not the one in the token) and, when it carries one, a live sign-in.
   */
  async authenticateClaims(claims: AccessTokenClaims): Promise<AuthContext | null> {
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || !UUID_PATTERN.test(claims.sub)) return null;
    if (claims.sid !== undefined && (typeof claims.sid !== 'string' || !UUID_PATTERN.test(claims.sid))) return null;
    const user = await this.cachedUser(claims.sub);
    if (!user) return null;
    if (claims.sid && !(await this.familyAlive(claims.sid))) return null;
    return { userId: user.id, username: user.username, role: user.role, expiresAt: claims.exp, sessionId: claims.sid };
  }

  private cachedUser(id: string): Promise<CachedUser | null> {
    return this.userCache.getOrLoad(id, async () => {
      const user = await this.users.findById(id);
      return user && { id: user.id, username: user.username, role: user.role };
    });
  }

  /**
   * `<userId>.<familyId>.<expiry>.<signature>` for the media cookie, which lets <img> tags and download links reach the
   * attachment routes (a browser cannot add a bearer header to them); bound to the sign-in of `accessToken`, so
   * logout ends it too. Membership is still checked per request.
   */
  issueMediaToken(accessToken: string): { token: string; maxAgeSeconds: number } {
    const claims = this.crypto.verifyAccessToken(accessToken);
    if (!claims?.sid) throw unauthorized('Invalid access token');
    const maxAgeSeconds = this.config.uploads.mediaTokenTtlSeconds;
    const payload = `${claims.sub}.${claims.sid}.${epochSeconds() + maxAgeSeconds}`;
    return { token: `${payload}.${this.crypto.hmac('media', payload)}`, maxAgeSeconds };
  }

  /** The user id of a valid, unexpired media token whose sign-in is still alive. */
  async verifyMediaToken(token: string): Promise<string | null> {
    const [userId, familyId, expiry, signature, extra] = token.split('.');
    if (!userId || !familyId || !expiry || !signature || extra !== undefined) return null;
    if (!this.crypto.safeEqual(signature, this.crypto.hmac('media', `${userId}.${familyId}.${expiry}`))) return null;
    if (Number(expiry) <= epochSeconds()) return null;
    if (!UUID_PATTERN.test(familyId) || !(await this.familyAlive(familyId))) return null;
    return (await this.cachedUser(userId)) ? userId : null;
  }

  private familyAlive(familyId: string): Promise<boolean> {
    return this.familyCache.getOrLoad(familyId, () => this.refreshTokens.familyAlive(familyId));
  }

  /** Revokes a sign-in everywhere: its refresh tokens, its media cookie, and its sockets on every instance. */
  private async endFamily(familyId: string): Promise<void> {
    await this.refreshTokens.revokeFamily(familyId);
    this.familyCache.set(familyId, false);
    this.websocket.endSession(familyId);
  }

  private async issue(user: UserEntity, familyId: string): Promise<AuthResponseDto> {
    const refreshToken = this.crypto.randomToken();
    await this.refreshTokens.create({
      userId: user.id,
      familyId,
      tokenHash: this.crypto.sha256(refreshToken),
      expiresAt: new Date(Date.now() + secondsToMs(this.config.auth.refreshTtlSeconds)),
    });
    return {
      user: toUserResponse(user),
      accessToken: this.crypto.signAccessToken({ sub: user.id, username: user.username, role: user.role, sid: familyId }),
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

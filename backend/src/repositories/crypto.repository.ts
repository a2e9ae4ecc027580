import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { JWT_ALGORITHM, jwtKey, type AccessTokenClaims } from '@/core/auth';

@Injectable()
export class CryptoRepository {
  private readonly accessKey: string;

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.accessKey = jwtKey(config.auth.jwtSecret);
  }

  hashPassword(password: string): Promise<string> {
    // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    return argon2.hash(password, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  }

  verifyPassword(hash: string, password: string): Promise<boolean> {
    return argon2.verify(hash, password).catch(() => false);
  }

  signAccessToken(claims: AccessTokenClaims): string {
    return this.jwt.sign(claims, {
      algorithm: JWT_ALGORITHM,
      secret: this.accessKey,
      expiresIn: this.config.auth.accessTtlSeconds,
      jwtid: randomUUID(),
    });
  }

  verifyAccessToken(token: string): AccessTokenClaims | null {
    try {
      return this.jwt.verify<AccessTokenClaims>(token, { algorithms: [JWT_ALGORITHM], secret: this.accessKey });
    } catch {
      return null;
    }
  }

  randomToken(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  uuid(): string {
    return randomUUID();
  }

  sha256(value: string): string {
    return createHash('sha256').update(value).digest('hex');
  }

  /** Signs our own short tokens; the purpose is part of the input, so a signature for one use is useless for another. */
  hmac(purpose: string, value: string): string {
    return createHmac('sha256', this.config.auth.jwtSecret).update(`${purpose}\0${value}`).digest('base64url');
  }

  safeEqual(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

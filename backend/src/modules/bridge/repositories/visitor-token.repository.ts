import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac, randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { JWT_ALGORITHM, jwtKey } from '@/core/auth';
import type { VisitorClaims } from '@/modules/bridge/schemas/widget.dto';

export type { VisitorClaims };

const AUDIENCE = 'widget-visitor';
const TOKEN_TYPE = 'visitor';
const DAY_SECONDS = 86_400;

/**
 * Visitor tokens are JWTs signed with a key of their own (derived from JWT_SECRET for this one purpose), with their
 * own audience and type: a user access token never verifies here, and a visitor token never verifies as a user's,
 * whatever its claims say.
 */
@Injectable()
export class VisitorTokenRepository {
  private readonly key: string;

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = jwtKey(createHmac('sha256', config.auth.jwtSecret).update('widget-visitor-token\0v1').digest('base64url'));
  }

  newVisitorId(): string {
    return randomUUID();
  }

  sign(claims: VisitorClaims): string {
    return this.jwt.sign(
      { typ: TOKEN_TYPE, ch: claims.channelId, vid: claims.visitorId },
      {
        algorithm: JWT_ALGORITHM,
        secret: this.key,
        audience: AUDIENCE,
        subject: claims.contactId,
        expiresIn: this.config.widgetTokenTtlDays * DAY_SECONDS,
        jwtid: randomUUID(),
      },
    );
  }

  verify(token: string): VisitorClaims | null {
    try {
      const claims = this.jwt.verify<{ typ?: unknown; ch?: unknown; vid?: unknown; sub?: unknown }>(token, {
        algorithms: [JWT_ALGORITHM],
        secret: this.key,
        audience: AUDIENCE,
      });
      if (claims.typ !== TOKEN_TYPE || typeof claims.sub !== 'string' || typeof claims.ch !== 'string' || typeof claims.vid !== 'string') return null;
      return { contactId: claims.sub, channelId: claims.ch, visitorId: claims.vid };
    } catch {
      return null;
    }
  }
}

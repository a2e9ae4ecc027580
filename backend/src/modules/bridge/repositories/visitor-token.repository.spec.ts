import { JwtService } from '@nestjs/jwt';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '@/core/config';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { VisitorTokenRepository } from './visitor-token.repository';

const config = { auth: { jwtSecret: 'a-secret-that-is-long-enough-for-hs256-0123456789', accessTtlSeconds: 900 }, widgetTokenTtlDays: 180 } as AppConfig;
const jwt = new JwtService({});
const visitor = { contactId: '11111111-1111-4111-8111-111111111111', channelId: '22222222-2222-4222-8222-222222222222', visitorId: '33333333-3333-4333-8333-333333333333' };

describe('VisitorTokenRepository (unit)', () => {
  const tokens = new VisitorTokenRepository(jwt, config);
  const users = new CryptoRepository(jwt, config);

  it('verifies its own token and gives back the visitor', () => {
    expect(tokens.verify(tokens.sign(visitor))).toEqual(visitor);
  });

  it('never takes a user access token, and a visitor token never passes as a user token', () => {
    const userToken = users.signAccessToken({ sub: visitor.contactId, username: 'anna', role: 'admin' });
    expect(tokens.verify(userToken)).toBeNull();
    expect(users.verifyAccessToken(tokens.sign(visitor))).toBeNull();
  });

  it('refuses a token signed with the user key even when it claims to be a visitor token', () => {
    const forged = jwt.sign({ typ: 'visitor', ch: visitor.channelId, vid: visitor.visitorId }, { secret: config.auth.jwtSecret, audience: 'widget-visitor', subject: visitor.contactId, expiresIn: 60 });
    expect(tokens.verify(forged)).toBeNull();
  });

  it('refuses an expired, a tampered or a foreign-algorithm token', () => {
    const expired = new VisitorTokenRepository(jwt, { ...config, widgetTokenTtlDays: -1 } as AppConfig).sign(visitor);
    expect(tokens.verify(expired)).toBeNull();
    const [head, body, sig] = tokens.sign(visitor).split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: '44444444-4444-4444-8444-444444444444' })).toString('base64url');
    expect(tokens.verify(`${head}.${tampered}.${sig}`)).toBeNull();
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.`;
    expect(tokens.verify(none)).toBeNull();
  });
});

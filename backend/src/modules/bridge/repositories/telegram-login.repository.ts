import { createHash, createPublicKey, randomBytes, verify as verifySignature } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

type InitDataNode = typeof import('@tma.js/init-data-node', { with: { 'resolution-mode': 'import' } });
// The package ships CommonJS beside its ESM entry; the build is CommonJS, so it is required at run time.
const { isValid3rd, validate } = require('@tma.js/init-data-node') as InitDataNode;

const hashOf = (code: string) => createHash('sha256').update(code).digest('hex');
/** SubjectPublicKeyInfo DER prefix of a raw 32-byte Ed25519 key. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export type InitDataCheck = { ok: true; authDate: Date; user: { id: string; username: string | null } } | { ok: false; reason: 'bad-signature' | 'malformed' };

function parseUser(raw: string | null): { id?: number | string; username?: string } | null {
  try {
    return JSON.parse(raw ?? 'null') as { id?: number | string; username?: string } | null;
  } catch {
    return null;
  }
}

/** Link codes for `/start <code>`, and the checks of a Mini App's signed initData (the library's, not our own crypto). */
@Injectable()
export class TelegramLoginRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A single-use code (128 random bits, a valid deep-link payload); only its hash is stored. */
  async createCode(userId: string, channelId: string, ttlSeconds: number): Promise<{ code: string; expiresAt: Date }> {
    const code = randomBytes(16).toString('base64url');
    const [row] = await this.dataSource.query<Array<{ expiresAt: Date }>>(
      `INSERT INTO telegram_link_codes (code_hash, user_id, channel_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
       RETURNING expires_at AS "expiresAt"`,
      [hashOf(code), userId, channelId, ttlSeconds],
    );
    return { code, expiresAt: row.expiresAt };
  }

  /** Spends a code: the user it was made for, once, if unexpired and for this channel. */
  async consumeCode(code: string, channelId: string): Promise<string | null> {
    const [rows]: [Array<{ userId: string }>, number] = await this.dataSource.query(
      `UPDATE telegram_link_codes SET used_at = now() WHERE code_hash = $1 AND channel_id = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id AS "userId"`,
      [hashOf(code), channelId],
    );
    return rows[0]?.userId ?? null;
  }

  /**
   * Checks initData's signature, not its age (the caller checks that, so a stale but genuine initData says
   * "expired"): the bot token's HMAC (`hash`), else the Ed25519 `signature` for third parties, against the given
   * public key (hex) or Telegram's own (production, or its test environment).
   */
  async checkInitData(initData: string, botToken: string, ed25519: { publicKeyHex?: string; telegramTestKeys: boolean }): Promise<InitDataCheck> {
    const params = new URLSearchParams(initData);
    const authDate = Number(params.get('auth_date'));
    const user = parseUser(params.get('user'));
    if (!Number.isFinite(authDate) || authDate <= 0 || !user?.id) return { ok: false, reason: 'malformed' };
    const result = { ok: true as const, authDate: new Date(authDate * 1000), user: { id: String(user.id), username: user.username ?? null } };

    if (params.get('hash')) {
      try {
        validate(initData, botToken, { expiresIn: 0 });
        return result;
      } catch {
        // falls through to the third-party signature, if any
      }
    }
    const signature = params.get('signature');
    if (!signature) return { ok: false, reason: 'bad-signature' };
    const botId = Number(botToken.split(':')[0]);
    if (ed25519.publicKeyHex) {
      const lines = [...params.entries()].filter(([k]) => k !== 'hash' && k !== 'signature').map(([k, v]) => `${k}=${v}`).sort();
      const dataCheck = `${botId}:WEBAPPDATA\n${lines.join('\n')}`;
      try {
        const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(ed25519.publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
        return verifySignature(null, Buffer.from(dataCheck), key, Buffer.from(signature, 'base64url')) ? result : { ok: false, reason: 'bad-signature' };
      } catch {
        return { ok: false, reason: 'bad-signature' };
      }
    }
    return (await isValid3rd(initData, botId, { expiresIn: 0, test: ed25519.telegramTestKeys })) ? result : { ok: false, reason: 'bad-signature' };
  }
}

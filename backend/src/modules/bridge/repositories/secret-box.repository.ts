import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@/core/config';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A short public name for a key, stored beside each sealed value so the right key opens it after a rotation. */
const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/**
 * AES-256-GCM for the secrets at rest (bot tokens, Avito client secrets, webhook secrets).
 * Sealed form: `v1.<keyId>.<nonce>.<ciphertext+tag>` (base64url); a fresh random nonce per value. The channel id is
 * bound in as associated data, so a sealed value copied onto another channel's row does not open.
 */
@Injectable()
export class SecretBoxRepository {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.current = { id: keyIdOf(config.bridge.encryptionKey), key: config.bridge.encryptionKey };
    for (const key of [config.bridge.encryptionKey, ...config.bridge.oldEncryptionKeys]) this.keys.set(keyIdOf(key), key);
  }

  seal(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return ['v1', this.current.id, nonce.toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const [version, keyId, nonce, body] = sealed.split('.');
    const key = this.keys.get(keyId ?? '');
    if (version !== 'v1' || !key || !nonce || !body) throw new Error(`sealed value uses an unknown key "${keyId}" or format`);
    const bytes = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** Whether a value was sealed with an older key and should be sealed again with the current one. */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }

  randomSecret(bytes: number): string {
    return randomBytes(bytes).toString('base64url');
  }

  hash(value: string): string {
    return createHash('sha256').update(value).digest('hex');
  }

  /** Constant-time equality of two hex digests of the same length. */
  sameHash(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
  }
}

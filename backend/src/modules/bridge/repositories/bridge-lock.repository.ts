import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { RedisRepository } from '@/repositories/redis.repository';

/** Short Redis locks shared by every instance and worker (e.g. "one thread per external chat is being created"). */
@Injectable()
export class BridgeLockRepository {
  constructor(private readonly redis: RedisRepository) {}

  /** Runs `work` holding the lock, or returns `{ busy: true }` at once when someone else holds it. */
  async tryWith<T>(name: string, ttlMs: number, work: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    const key = this.redis.key('bridge', 'lock', name);
    const owner = randomBytes(9).toString('base64url');
    if ((await this.redis.client.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') return { busy: true };
    try {
      return { busy: false, value: await work() };
    } finally {
      await this.redis.client.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, key, owner);
    }
  }
}

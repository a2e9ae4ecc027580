import { Injectable } from '@nestjs/common';
import { RedisRepository } from '@/repositories/redis.repository';

/**
 * Who is looking at a thread, in Redis: a sorted set per thread scored by when each viewer's presence runs out, and
 * per viewer the moment they opened it (the reference for "someone replied meanwhile"). Both expire on their own,
 * so a closed tab drops out without anyone saying goodbye.
 */
@Injectable()
export class ViewerRepository {
  constructor(private readonly redis: RedisRepository) {}

  private viewersKey(chatId: string) {
    return this.redis.key('inbox', 'viewers', chatId);
  }

  private openedKey(chatId: string, userId: string) {
    return this.redis.key('inbox', 'opened', chatId, userId);
  }

  /** Marks the user as viewing until now + ttl; returns the viewers still present (expired ones removed) and when the user opened the thread. */
  async view(chatId: string, userId: string, now: number, ttlMs: number): Promise<{ viewerIds: string[]; openedAt: number; before: string[] }> {
    const key = this.viewersKey(chatId);
    const opened = this.openedKey(chatId, userId);
    const result = await this.redis.client
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zrange(key, 0, -1)
      .zadd(key, now + ttlMs, userId)
      .pexpire(key, ttlMs)
      .set(opened, String(now), 'PX', ttlMs, 'NX')
      .pexpire(opened, ttlMs)
      .get(opened)
      .zrange(key, 0, -1)
      .exec();
    const value = <T>(i: number) => result?.[i]?.[1] as T;
    return { before: value<string[]>(1) ?? [], viewerIds: value<string[]>(7) ?? [], openedAt: Number(value<string | null>(6) ?? now) };
  }

  async leave(chatId: string, userId: string, now: number): Promise<{ before: string[]; viewerIds: string[] }> {
    const key = this.viewersKey(chatId);
    const result = await this.redis.client
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zrange(key, 0, -1)
      .zrem(key, userId)
      .del(this.openedKey(chatId, userId))
      .zrange(key, 0, -1)
      .exec();
    return { before: (result?.[1]?.[1] as string[]) ?? [], viewerIds: (result?.[4]?.[1] as string[]) ?? [] };
  }

  async viewers(chatId: string, now: number): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.viewersKey(chatId), now, '+inf');
  }

  /** When the user opened the thread (ms), or null when they are not viewing it. */
  async openedAt(chatId: string, userId: string): Promise<number | null> {
    const value = await this.redis.client.get(this.openedKey(chatId, userId));
    return value === null ? null : Number(value);
  }

  /** After a send the user has seen everything up to now: later replies by others are what counts next. */
  async resetOpened(chatId: string, userId: string, now: number): Promise<void> {
    await this.redis.client.set(this.openedKey(chatId, userId), String(now), 'KEEPTTL', 'XX');
  }
}

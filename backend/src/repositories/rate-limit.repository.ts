import { Injectable } from '@nestjs/common';
import { RedisRepository } from './redis.repository';

export interface WindowCount {
  count: number;
  retryAfterSeconds: number;
}

// INCR and EXPIRE in one round trip, and the window starts with the first hit only.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
return {n, ttl}`;

// INCRBY a lease of units; the window (in ms) starts with the first reservation. Answers the count and the window's rest.
const RESERVE = `
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

// Gives a reserved slot back without ever creating a key or going below zero.
const RELEASE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/** Fixed-window counters in Redis, so limits hold across every instance. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly redis: RedisRepository) {}

  async hit(bucket: string, id: string, windowSeconds: number): Promise<WindowCount> {
    this.redis.requireReady();
    const [count, ttl] = (await this.redis.client.eval(HIT, 1, this.redis.key('rl', bucket, id), windowSeconds)) as [number, number];
    return { count, retryAfterSeconds: Math.max(ttl, 1) };
  }

  /** Adds `units` to the window's count at once (see LeasedLimiter); the caller decides what of them it may use. */
  async reserve(bucket: string, id: string, windowSeconds: number, units: number): Promise<{ count: number; resetInMs: number }> {
    this.redis.requireReady();
    const [count, resetInMs] = (await this.redis.client.eval(RESERVE, 1, this.redis.key('rl', bucket, id), windowSeconds * 1000, units)) as [number, number];
    return { count, resetInMs };
  }

  async peek(bucket: string, id: string): Promise<WindowCount> {
    const key = this.redis.key('rl', bucket, id);
    const [[, count], [, ttl]] = (await this.redis.client.multi().get(key).ttl(key).exec()) as [[null, string | null], [null, number]];
    return { count: Number(count ?? 0), retryAfterSeconds: Math.max(ttl, 1) };
  }

  async release(bucket: string, id: string): Promise<void> {
    await this.redis.client.eval(RELEASE, 1, this.redis.key('rl', bucket, id));
  }

  async reset(bucket: string, id: string): Promise<void> {
    await this.redis.client.del(this.redis.key('rl', bucket, id));
  }
}

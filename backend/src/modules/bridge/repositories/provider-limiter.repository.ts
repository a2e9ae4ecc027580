import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { RedisRepository } from '@/repositories/redis.repository';

/**
 * What one outgoing provider call is paced against. `account` is the bot id or the Avito account id; every key
 * lives in Redis, so all instances and workers share the limits.
 */
export type LimitScope =
  | { provider: 'telegram'; account: string; chat: string; group: boolean }
  | { provider: 'avito'; account: string; chat: string; sendsPerMinute: number };

export const TELEGRAM_CHAT_SPACING_MS = 1000;
/**
 * What we keep between two sends to one chat: Telegram's second plus a margin, because the time from our gate to
 * the request's arrival varies by tens of milliseconds on a loaded machine and Telegram counts arrivals.
 */
export const TELEGRAM_CHAT_GAP_MS = TELEGRAM_CHAT_SPACING_MS + 100;
export const TELEGRAM_GROUP_PER_MINUTE = 20;
/** Telegram's FAQ says about 30 a second per bot; 25 leaves room for the calls that are not sends. */
export const TELEGRAM_BOT_PER_SECOND = 25;
const MINUTE_MS = 60_000;
/** How long the account is slowed after Avito reported no requests left in its window. */
const AVITO_SLOW_FOR_MS = MINUTE_MS;
const AVITO_SLOW_SPACING_MS = 1000;
/** How much longer than the provider timeout an Avito single-flight lock lives, so only a dead holder loses it. */
const FLIGHT_SLACK_MS = 15_000;

// Milliseconds from Redis' own clock, so instances with skewed clocks agree.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Reserves the earliest slot that keeps every limit: past any pause (KEYS[1]); at least ARGV spacing after the
 * previous reservation on each spacing key (KEYS[3..2+n]); and, when given, at most ARGV limit slots in any
 * window on the sliding-window key (KEYS[n+3]). A send reserves once: its slot is remembered on KEYS[2], so a job
 * that wakes up early, or runs again, asks for the same slot. Returns the slot's distance from now and the slot, in ms.
 * ARGV: n, spacing_1..spacing_n, [windowMs, limit, member].
 */
const RESERVE = `${NOW}
local memo = tonumber(redis.call('GET', KEYS[2]) or '-1')
if memo >= 0 then return {math.max(memo - now, 0), memo} end
local n = tonumber(ARGV[1])
local slot = now
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause > slot then slot = pause end
for i = 1, n do
  local nextFree = tonumber(redis.call('GET', KEYS[2 + i]) or '0')
  if nextFree > slot then slot = nextFree end
end
local windowKey = KEYS[n + 3]
if windowKey then
  local windowMs = tonumber(ARGV[n + 2])
  local limit = tonumber(ARGV[n + 3])
  redis.call('ZREMRANGEBYSCORE', windowKey, '-inf', now - windowMs)
  local taken = redis.call('ZRANGE', windowKey, 0, -1, 'WITHSCORES')
  local count = #taken / 2
  if count >= limit then
    local edge = tonumber(taken[(count - limit) * 2 + 2]) + windowMs
    if edge > slot then slot = edge end
  end
  redis.call('ZADD', windowKey, slot, ARGV[n + 4])
  redis.call('PEXPIRE', windowKey, slot - now + windowMs)
end
for i = 1, n do
  local spacing = tonumber(ARGV[1 + i])
  redis.call('SET', KEYS[2 + i], slot + spacing, 'PX', slot - now + spacing + 1000)
end
redis.call('SET', KEYS[2], slot, 'PX', slot - now + 86400000)
return {slot - now, slot}`;

/**
 * The check right before the call, so network jitter after a reservation can never bring two sends to one chat
 * (or a slowed Avito account) closer than the spacing. Refuses while paused (KEYS[1]); while the last call on
 * KEYS[2] is closer than the spacing (ARGV[1], or ARGV[2] while KEYS[4] exists); while more than ARGV[6] calls
 * went out in the last ARGV[5] ms on KEYS[5] (0 = no window); and while another call holds the single-flight lock
 * KEYS[3] (ARGV[4] = its TTL, 0 = no lock). ARGV[3] is the lock holder, ARGV[7] the window entry.
 * Returns ms to wait; 0 = go (the call is counted, and the lock is held).
 */
const GATE = `${NOW}
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause > now then return pause - now end
local spacing = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[4]) == 1 then spacing = math.max(spacing, tonumber(ARGV[2])) end
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if last + spacing > now then return last + spacing - now end
local windowMs = tonumber(ARGV[5])
if windowMs > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - windowMs)
  local count = redis.call('ZCARD', KEYS[5])
  if count >= tonumber(ARGV[6]) then
    local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
    return math.max(tonumber(oldest[2]) + windowMs - now, 1)
  end
end
if tonumber(ARGV[4]) > 0 then
  if not redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then
    local left = redis.call('PTTL', KEYS[3])
    if left < 50 then left = 50 end
    return math.min(left, 1000)
  end
end
if windowMs > 0 then
  redis.call('ZADD', KEYS[5], now, ARGV[7])
  redis.call('PEXPIRE', KEYS[5], windowMs)
end
redis.call('SET', KEYS[2], now, 'PX', math.max(spacing, tonumber(ARGV[2])) + 1000)
return 0`;

// Only ever moves a pause later, so a short retry_after never cuts a longer one short.
const PAUSE = `${NOW}
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return math.max(untilMs, current) - now`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The Redis-shared pacing of outgoing provider calls (see ARCHITECTURE.md, "Outbound delivery"). */
@Injectable()
export class ProviderLimiterRepository {
  private readonly flightTtlMs: number;

  constructor(
    private readonly redis: RedisRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.flightTtlMs = config.bridge.providerTimeoutSeconds * 1000 + FLIGHT_SLACK_MS;
  }

  private key(...parts: string[]): string {
    return this.redis.key('bridge', 'limit', ...parts);
  }

  private pauseKey(scope: Pick<LimitScope, 'provider' | 'account'>): string {
    return this.key(scope.provider, scope.account, 'pause');
  }

  /**
   * Books the earliest slot for one send (`member` names it; asking again returns the same slot); the caller
   * waits `waitMs`, then passes `gate`. `at` is in Redis time.
   */
  async reserve(scope: LimitScope, member: string): Promise<{ waitMs: number; at: number }> {
    const keys = [this.pauseKey(scope), this.key('slot', member)];
    const argv: Array<string | number> = [];
    let window: Array<string | number> = [];
    if (scope.provider === 'telegram') {
      // The per-bot pace is kept by the gate alone: a slot booked far ahead for one busy chat must not hold back the others.
      keys.push(this.key('telegram', scope.account, 'chat', scope.chat, 'next'));
      argv.push(1, TELEGRAM_CHAT_GAP_MS);
      if (scope.group) {
        keys.push(this.key('telegram', scope.account, 'chat', scope.chat, 'minute'));
        window = [MINUTE_MS, TELEGRAM_GROUP_PER_MINUTE, member];
      }
    } else {
      keys.push(this.key('avito', scope.account, 'next'));
      argv.push(1, Math.ceil(MINUTE_MS / Math.max(scope.sendsPerMinute, 1)));
    }
    const [waitMs, at] = (await this.redis.client.eval(RESERVE, keys.length, ...keys, ...argv, ...window)) as [number, number];
    return { waitMs, at };
  }

  /** How long until this send's slot (booked on the first call). */
  async reserveOnce(scope: LimitScope, member: string): Promise<number> {
    return (await this.reserve(scope, member)).waitMs;
  }

  /** 0 when the call may go now (and, for Avito, the caller holds the account until `release`); else ms to wait. */
  async gate(scope: LimitScope, holder: string): Promise<number> {
    const { provider, account } = scope;
    if (provider === 'telegram') {
      const keys = [
        this.pauseKey(scope),
        this.key(provider, account, 'chat', scope.chat, 'last'),
        this.key(provider, account, 'flight'),
        this.key(provider, account, 'slow'),
        this.key(provider, account, 'second'),
      ];
      return Number(await this.redis.client.eval(GATE, keys.length, ...keys, TELEGRAM_CHAT_GAP_MS, 0, holder, 0, 1000, TELEGRAM_BOT_PER_SECOND, holder));
    }
    const keys = [
      this.pauseKey(scope),
      this.key(provider, account, 'last'),
      this.key(provider, account, 'flight'),
      this.key(provider, account, 'slow'),
      this.key(provider, account, 'second'),
    ];
    return Number(await this.redis.client.eval(GATE, keys.length, ...keys, 0, AVITO_SLOW_SPACING_MS, holder, this.flightTtlMs, 0, 0, holder));
  }

  /** Frees an Avito account's single-flight lock, if this holder still has it. */
  async release(scope: LimitScope, holder: string): Promise<void> {
    if (scope.provider !== 'avito') return;
    await this.redis.client.eval(RELEASE, 1, this.key('avito', scope.account, 'flight'), holder);
  }

  /** A 429: no call to this bot or account from any instance until `ms` from now. Returns the pause left in ms. */
  async pause(scope: Pick<LimitScope, 'provider' | 'account'>, ms: number): Promise<number> {
    return Number(await this.redis.client.eval(PAUSE, 1, this.pauseKey(scope), Math.max(Math.ceil(ms), 1)));
  }

  async pausedForMs(scope: Pick<LimitScope, 'provider' | 'account'>): Promise<number> {
    const [until, time] = await Promise.all([this.redis.client.get(this.pauseKey(scope)), this.redis.client.time()]);
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    return Math.max(Number(until ?? 0) - now, 0);
  }

  /** Avito said the window is used up (X-RateLimit-Remaining: 0): space this account's sends for a while. */
  async slowDown(account: string): Promise<void> {
    await this.redis.client.set(this.key('avito', account, 'slow'), '1', 'PX', AVITO_SLOW_FOR_MS);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { RedisRepository } from './redis.repository';
import { secondsToMs } from '@/core/time';

export interface PresenceState {
  userId: string;
  online: boolean;
  /** Epoch ms when the user's last socket left; null while online or when never seen. */
  lastSeenAt: number | null;
}

export interface WentOffline {
  userId: string;
  lastSeenAt: number;
}

const SEEN_TTL_MS = secondsToMs(90 * 24 * 3600);

/**
 * Layout under `<prefix>:presence:`
 *   instances        ZSET instance id → last heartbeat (ms)
 *   inst:<instance>  SET  users with a socket on that instance
 *   user:<user>      HASH instance id → sockets of the user there
 *   seen:<user>      last-seen time (ms)
 * A user is online while the hash holds a positive count for an instance whose heartbeat is fresh, so an
 * instance that dies stops counting at once and is cleaned up by whichever survivor sweeps it first.
 * Scripts build keys from the prefix, so this layout assumes one Redis, not a cluster.
 */
const LIVE = `
local function live(instances, userKey, minBeat)
  local fields = redis.call('HGETALL', userKey)
  local total = 0
  for i = 1, #fields, 2 do
    local beat = redis.call('ZSCORE', instances, fields[i])
    if beat and tonumber(beat) >= minBeat then total = total + tonumber(fields[i + 1]) end
  end
  return total
end
`;

// KEYS: instances, inst set, user hash. ARGV: instance, user, now, ttl. Returns the user's live sockets.
const CONNECT = `${LIVE}
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
return live(KEYS[1], KEYS[3], tonumber(ARGV[3]) - tonumber(ARGV[4]))`;

// KEYS: instances, inst set, user hash, seen. ARGV: instance, user, now, ttl, seen ttl.
// Returns the user's live sockets, or -1 when this instance's entry was already reaped.
const DISCONNECT = `${LIVE}
if not redis.call('HGET', KEYS[3], ARGV[1]) then return -1 end
local n = redis.call('HINCRBY', KEYS[3], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[2])
end
local total = live(KEYS[1], KEYS[3], tonumber(ARGV[3]) - tonumber(ARGV[4]))
if total == 0 then redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[5]) end
return total`;

// KEYS: instances. ARGV: base, now, ttl, seen ttl, instance ('' = every instance whose heartbeat is stale).
// Drops the instances' sockets; returns user, last seen pairs for users left with no live socket.
const REAP = `${LIVE}
local minBeat = tonumber(ARGV[2]) - tonumber(ARGV[3])
local targets
if ARGV[5] ~= '' then targets = {ARGV[5]} else targets = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. minBeat) end
local offline = {}
for _, inst in ipairs(targets) do
  local seen = ARGV[2]
  if ARGV[5] == '' then seen = redis.call('ZSCORE', KEYS[1], inst) or ARGV[2] end
  redis.call('ZREM', KEYS[1], inst)
  local instKey = ARGV[1] .. 'inst:' .. inst
  for _, uid in ipairs(redis.call('SMEMBERS', instKey)) do
    local userKey = ARGV[1] .. 'user:' .. uid
    redis.call('HDEL', userKey, inst)
    if live(KEYS[1], userKey, minBeat) == 0 then
      redis.call('SET', ARGV[1] .. 'seen:' .. uid, seen, 'PX', ARGV[4])
      table.insert(offline, uid)
      table.insert(offline, seen)
    end
  end
  redis.call('DEL', instKey)
end
return offline`;

// KEYS: instances, inst set. ARGV: base, instance, now, ttl, then user, count pairs.
// Re-registers this instance's sockets after it was reaped while alive; returns users that were offline until now.
const RESTORE = `${LIVE}
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local back = {}
for i = 5, #ARGV, 2 do
  local userKey = ARGV[1] .. 'user:' .. ARGV[i]
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('HSET', userKey, ARGV[2], ARGV[i + 1])
  if live(KEYS[1], userKey, tonumber(ARGV[3]) - tonumber(ARGV[4])) == tonumber(ARGV[i + 1]) then table.insert(back, ARGV[i]) end
end
return back`;

// KEYS: instances. ARGV: base, min heartbeat, users... Returns live count, last seen ('' if never) per user.
const LOOKUP = `${LIVE}
local out = {}
for i = 3, #ARGV do
  table.insert(out, live(KEYS[1], ARGV[1] .. 'user:' .. ARGV[i], tonumber(ARGV[2])))
  table.insert(out, redis.call('GET', ARGV[1] .. 'seen:' .. ARGV[i]) or '')
end
return out`;

@Injectable()
export class PresenceRepository {
  /** This process; sockets are counted per instance so a dead one can be subtracted as a whole. */
  readonly instanceId = randomUUID();
  readonly ttlMs: number;

  constructor(
    private readonly redis: RedisRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = config.presenceHeartbeatMs * 3;
  }

  /** The user's live socket count after adding this one: 1 means they just came online. */
  async connect(userId: string, now: number): Promise<number> {
    return (await this.redis.client.eval(
      CONNECT,
      3,
      this.key('instances'),
      this.key('inst', this.instanceId),
      this.key('user', userId),
      this.instanceId,
      userId,
      now,
      this.ttlMs,
    )) as number;
  }

  /** The user's live socket count after removing this one (0: just went offline), or -1 if it was already reaped. */
  async disconnect(userId: string, now: number): Promise<number> {
    return (await this.redis.client.eval(
      DISCONNECT,
      4,
      this.key('instances'),
      this.key('inst', this.instanceId),
      this.key('user', userId),
      this.key('seen', userId),
      this.instanceId,
      userId,
      now,
      this.ttlMs,
      SEEN_TTL_MS,
    )) as number;
  }

  /** Records a heartbeat; true when this instance had been reaped (presumed dead) and must restore its sockets. */
  async heartbeat(now: number): Promise<boolean> {
    return (await this.redis.client.zadd(this.key('instances'), now, this.instanceId)) === 1;
  }

  /** Drops every instance whose heartbeat is stale; the first survivor to run it does the work, atomically. */
  reapDead(now: number): Promise<WentOffline[]> {
    return this.reap(now, '');
  }

  /** Drops this instance's sockets at once (graceful shutdown). */
  reapSelf(now: number): Promise<WentOffline[]> {
    return this.reap(now, this.instanceId);
  }

  async restore(counts: Map<string, number>, now: number): Promise<string[]> {
    const pairs = [...counts].flatMap(([userId, n]) => [userId, n]);
    return (await this.redis.client.eval(
      RESTORE,
      2,
      this.key('instances'),
      this.key('inst', this.instanceId),
      this.base,
      this.instanceId,
      now,
      this.ttlMs,
      ...pairs,
    )) as string[];
  }

  async lookup(userIds: string[], now: number): Promise<PresenceState[]> {
    if (userIds.length === 0) return [];
    const flat = (await this.redis.client.eval(LOOKUP, 1, this.key('instances'), this.base, now - this.ttlMs, ...userIds)) as Array<number | string>;
    return userIds.map((userId, i) => {
      const online = Number(flat[2 * i]) > 0;
      const seen = flat[2 * i + 1];
      return { userId, online, lastSeenAt: online || seen === '' ? null : Number(seen) };
    });
  }

  private async reap(now: number, instance: string): Promise<WentOffline[]> {
    const flat = (await this.redis.client.eval(REAP, 1, this.key('instances'), this.base, now, this.ttlMs, SEEN_TTL_MS, instance)) as string[];
    const gone: WentOffline[] = [];
    for (let i = 0; i < flat.length; i += 2) gone.push({ userId: flat[i], lastSeenAt: Number(flat[i + 1]) });
    return gone;
  }

  private get base(): string {
    return this.redis.key('presence', '');
  }

  private key(...parts: string[]): string {
    return this.redis.key('presence', ...parts);
  }
}

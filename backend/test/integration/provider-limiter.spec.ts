import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { AppConfig } from '@/core/config';
import {
  type LimitScope,
  ProviderLimiterRepository,
  TELEGRAM_BOT_PER_SECOND,
  TELEGRAM_CHAT_GAP_MS,
  TELEGRAM_CHAT_SPACING_MS,
  TELEGRAM_GROUP_PER_MINUTE,
} from '@/modules/bridge/repositories/provider-limiter.repository';
import { RedisRepository } from '@/repositories/redis.repository';

/** Two limiters on two connections with one prefix behave as two instances of one deployment. */
describe('provider limiter (integration, real Redis)', () => {
  const prefix = `lim${randomBytes(4).toString('hex')}`;
  const config = { redis: { url: inject('redisUrl'), prefix }, bridge: { providerTimeoutSeconds: 30 } } as AppConfig;
  const redisA = new RedisRepository(config);
  const redisB = new RedisRepository(config);
  const a = new ProviderLimiterRepository(redisA, config);
  const b = new ProviderLimiterRepository(redisB, config);
  afterAll(async () => {
    const keys = await redisA.client.keys(`${prefix}:*`);
    if (keys.length) await redisA.client.del(...keys);
    await Promise.all([redisA.onApplicationShutdown(), redisB.onApplicationShutdown()]);
  });

  const tg = (over: Partial<Extract<LimitScope, { provider: 'telegram' }>> = {}): LimitScope => ({
    provider: 'telegram',
    account: randomUUID(),
    chat: '1001',
    group: false,
    ...over,
  });

  it('books one chat a second apart, whichever instance asks', async () => {
    const scope = tg();
    const slots = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).reserve(scope, randomUUID())));
    const sorted = slots.map((s) => s.at).sort((x, y) => x - y);
    expect(Math.min(...slots.map((s) => s.waitMs))).toBeLessThanOrEqual(5);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(TELEGRAM_CHAT_SPACING_MS);
    // Another chat of the same bot is not held back by the first one's spacing, only by the per-bot pace.
    expect((await a.reserve({ ...scope, chat: '1002' }, randomUUID())).waitMs).toBeLessThan(1000);
  });

  it('a send asking again (a job woken early, or run twice) keeps its slot instead of booking another', async () => {
    const scope = tg();
    const first = await a.reserve(scope, 'send-1');
    const second = await a.reserve(scope, 'send-2');
    expect((await b.reserve(scope, 'send-2')).at).toBe(second.at);
    expect((await a.reserve(scope, 'send-1')).at).toBe(first.at);
    expect((await b.reserve(scope, 'send-3')).at - second.at).toBeGreaterThanOrEqual(TELEGRAM_CHAT_SPACING_MS);
  });

  it('lets one bot make at most 25 calls a second over many chats', async () => {
    const account = randomUUID();
    const waits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).gate(tg({ account, chat: String(i) }), `h${i}`)));
    expect(waits.filter((w) => w === 0)).toHaveLength(TELEGRAM_BOT_PER_SECOND);
    for (const w of waits.filter((w) => w > 0)) expect(w).toBeLessThanOrEqual(1000);
  });

  it('lets a group take 20 sends in a minute, the 21st waits for the window', async () => {
    const scope = tg({ group: true, chat: '-100200' });
    const slots: number[] = [];
    for (let i = 0; i < TELEGRAM_GROUP_PER_MINUTE + 1; i++) slots.push((await (i % 2 ? a : b).reserve(scope, randomUUID())).at);
    // The chat spacing still holds inside the group; the 21st is a minute after the first, not 20 s after.
    expect(slots[TELEGRAM_GROUP_PER_MINUTE - 1] - slots[0]).toBe((TELEGRAM_GROUP_PER_MINUTE - 1) * TELEGRAM_CHAT_GAP_MS);
    expect(slots[TELEGRAM_GROUP_PER_MINUTE] - slots[0]).toBeGreaterThanOrEqual(60_000);
  });

  it('the gate lets exactly one of two simultaneous calls to a chat through and tells the other how long to wait', async () => {
    const scope = tg();
    const [x, y] = await Promise.all([a.gate(scope, 'x'), b.gate(scope, 'y')]);
    expect([x, y].filter((w) => w === 0)).toHaveLength(1);
    const wait = Math.max(x, y);
    expect(wait).toBeGreaterThan(TELEGRAM_CHAT_SPACING_MS - 100);
    expect(wait).toBeLessThanOrEqual(TELEGRAM_CHAT_GAP_MS);
  });

  it('a 429 pauses the whole bot for every instance until retry_after, and a shorter one never shortens it', async () => {
    const scope = tg();
    expect(await a.pause(scope, 3000)).toBeGreaterThan(2900);
    expect(await b.pause(scope, 1000)).toBeGreaterThan(2900);
    const wait = await b.gate({ ...scope, chat: 'another chat' }, 'h');
    expect(wait).toBeGreaterThan(2800);
    expect(await b.pausedForMs(scope)).toBeGreaterThan(2800);
    // A reservation made during the pause lands after it.
    expect((await a.reserve({ ...scope, chat: 'third' }, randomUUID())).waitMs).toBeGreaterThan(2800);
  });

  it('Avito: one call at a time per account, released by its holder only', async () => {
    const scope: LimitScope = { provider: 'avito', account: String(Date.now()), chat: 'u2i-1', sendsPerMinute: 600 };
    const [x, y] = await Promise.all([a.gate(scope, 'x'), b.gate(scope, 'y')]);
    expect([x, y].filter((w) => w === 0)).toHaveLength(1);
    const holder = x === 0 ? 'x' : 'y';
    const other = holder === 'x' ? 'y' : 'x';
    await b.release(scope, other);
    expect(await a.gate(scope, other)).toBeGreaterThan(0);
    await a.release(scope, holder);
    expect(await b.gate(scope, other)).toBe(0);
    await b.release(scope, other);
  });

  it('Avito: at most AVITO_SENDS_PER_MINUTE per account, and slowed once the provider reports none remaining', async () => {
    const scope: LimitScope = { provider: 'avito', account: String(Date.now() + 1), chat: 'u2i-2', sendsPerMinute: 60 };
    const slots = await Promise.all(Array.from({ length: 4 }, (_, i) => (i % 2 ? a : b).reserve(scope, randomUUID())));
    const sorted = slots.map((s) => s.at).sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(1000);

    const fast: LimitScope = { ...scope, account: String(Date.now() + 2), sendsPerMinute: 100_000 };
    expect(await a.gate(fast, 'h1')).toBe(0);
    await a.release(fast, 'h1');
    expect(await a.gate(fast, 'h2')).toBe(0);
    await a.release(fast, 'h2');
    await b.slowDown(fast.account);
    // The last call was a moment ago; slowed, the next must keep a second's distance from it.
    expect(await a.gate(fast, 'h3')).toBeGreaterThan(900);
  });
});

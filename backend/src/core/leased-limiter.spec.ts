import { describe, expect, it } from 'vitest';
import { LeasedLimiter, type Reservation } from './leased-limiter';

/** A shared fixed-window counter with the semantics of RateLimitRepository.reserve, and a clock the test moves. */
function shared(windowMs: number) {
  let now = 0;
  const windows = new Map<string, { count: number; resetAt: number }>();
  let calls = 0;
  const reserve = async (key: string, units: number): Promise<Reservation> => {
    calls++;
    await Promise.resolve();
    let w = windows.get(key);
    if (!w || now >= w.resetAt) windows.set(key, (w = { count: 0, resetAt: now + windowMs }));
    w.count += units;
    return { count: w.count, resetInMs: w.resetAt - now };
  };
  return { reserve, clock: () => now, advance: (ms: number) => (now += ms), calls: () => calls };
}

const admitted = async (results: Array<ReturnType<LeasedLimiter['take']>>) => (await Promise.all(results)).filter((d) => d.ok).length;

describe('LeasedLimiter', () => {
  it('is exact for small limits: one reservation per hit', async () => {
    const s = shared(60_000);
    const limiter = new LeasedLimiter(6, s.reserve, s.clock);
    expect(await admitted(Array.from({ length: 10 }, () => limiter.take('u')))).toBe(6);
    // The sixth reservation filled the window: the refusals after it cost no round trip.
    expect(s.calls()).toBe(6);
    expect(await limiter.take('u')).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(s.calls()).toBe(6);
  });

  it('reserves in leases of 5 % and answers most hits without a round trip', async () => {
    const s = shared(60_000);
    const limiter = new LeasedLimiter(1000, s.reserve, s.clock);
    expect(await limiter.take('u')).toEqual({ ok: true });
    const results = Array.from({ length: 1200 }, () => limiter.take('u'));
    // The rest of the first lease is answered synchronously, without a promise.
    expect(results.slice(0, 49).every((r) => !(r instanceof Promise))).toBe(true);
    expect(1 + (await admitted(results))).toBe(1000);
    expect(s.calls()).toBeLessThanOrEqual(21);
  });

  it('starts over when the window ends, and a lease never outlives its window', async () => {
    const s = shared(1000);
    const limiter = new LeasedLimiter(100, s.reserve, s.clock);
    expect(await limiter.take('u')).toEqual({ ok: true });
    s.advance(1000);
    // The lease of the old window held 4 more units; they are not spent in the new one.
    expect(await admitted(Array.from({ length: 150 }, () => limiter.take('u')))).toBe(100);
  });

  it('keeps keys apart', async () => {
    const s = shared(60_000);
    const limiter = new LeasedLimiter(2, s.reserve, s.clock);
    expect(await admitted([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('b')])).toBe(3);
  });

  it('passes a failed reservation to every caller waiting for it, then tries again', async () => {
    let fail = true;
    const s = shared(60_000);
    const limiter = new LeasedLimiter(100, (key, units) => (fail ? Promise.reject(new Error('down')) : s.reserve(key, units)), s.clock);
    const results = await Promise.allSettled([limiter.take('u'), limiter.take('u')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await limiter.take('u')).toEqual({ ok: true });
  });
});

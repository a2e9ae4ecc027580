/** What the shared counter answers to a reservation: the count after it, and how long the window still runs. */
export interface Reservation {
  count: number;
  resetInMs: number;
}

export type Decision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Lease {
  /** Units reserved in the shared counter and not spent yet. */
  left: number;
  /** When the shared window ends (by this process's clock, never later than the real end). */
  until: number;
  /** The window is full: refuse locally until `until`. */
  full: boolean;
  reserving?: Promise<void>;
}

/** Share of the limit one reservation takes. It bounds how much of the window one instance may hold unspent. */
export const LEASE_FRACTION = 0.05;
const ALLOWED: Decision = { ok: true };

/**
 * A fixed-window limit that holds across instances without a round trip per hit. Each instance reserves units from
 * the shared counter in leases of `max(1, floor(limit × 5 %))` (one INCRBY), spends them locally, and asks again when
 * its lease runs out. The shared counter counts reservations, so:
 *
 * - overshoot is zero: the instances together never admit more than `limit` per window;
 * - undershoot is bounded: the units other instances hold but have not spent, at most (instances − 1) × (lease − 1),
 *   i.e. under 5 % of the limit per other instance serving the same key at the same time (a user's sockets usually
 *   live on one instance, where there is nothing to lose);
 * - a limit under 40 gets leases of 1: exact, one round trip per hit, as before.
 *
 * A lease expires at the shared window's end measured from when it was asked for, so it never outlives the window.
 * A refusal is remembered until the window ends (the shared count stays over the limit until then anyway).
 */
export class LeasedLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly lease: number;
  private sweptAt = 0;

  constructor(
    private readonly limit: number,
    private readonly reserve: (key: string, units: number) => Promise<Reservation>,
    private readonly now: () => number = Date.now,
  ) {
    this.lease = Math.max(1, Math.floor(limit * LEASE_FRACTION));
  }

  /** Takes one unit for `key`; synchronous (no promise) while the local lease lasts. */
  take(key: string): Decision | Promise<Decision> {
    const now = this.now();
    const lease = this.leases.get(key);
    if (lease) {
      // One reservation in flight per key: everyone else waits for it instead of reserving again.
      if (lease.reserving) return lease.reserving.then(() => this.take(key));
      if (now < lease.until) {
        if (lease.left > 0) {
          lease.left--;
          return ALLOWED;
        }
        if (lease.full) return this.refusal(lease, now);
      }
    }
    return this.renew(key, now);
  }

  private refusal(lease: Lease, now: number): Decision {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((lease.until - now) / 1000)) };
  }

  private renew(key: string, now: number): Promise<Decision> {
    this.sweep(now);
    const lease: Lease = this.leases.get(key) ?? { left: 0, until: 0, full: false };
    if (now >= lease.until) Object.assign(lease, { left: 0, until: 0, full: false });
    this.leases.set(key, lease);
    const reserving = this.reserve(key, this.lease).then(
      ({ count, resetInMs }) => {
        // Units past the limit are not granted; the window is full for everyone until it resets.
        const granted = Math.min(this.lease, Math.max(0, this.limit - (count - this.lease)));
        lease.left += granted;
        lease.until = now + resetInMs;
        lease.full = count >= this.limit;
      },
      (error: unknown) => {
        lease.reserving = undefined;
        throw error;
      },
    );
    lease.reserving = reserving.then(() => {
      lease.reserving = undefined;
    });
    // Taken through take() again, so a lease that came back already past its window is never spent.
    return lease.reserving.then(() => this.take(key));
  }

  /** Forgets leases whose window ended, at most once a second, so idle keys do not accumulate. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [key, lease] of this.leases) if (now >= lease.until && !lease.reserving) this.leases.delete(key);
  }
}

interface Waiting {
  seq: number;
  /** The last ticket issued when this message's insert returned: only those can still hold a smaller seq. */
  barrier: number;
  release: () => void;
}

interface Lane {
  issued: number;
  /** Tickets whose insert has not returned yet, in issue order. */
  open: Set<number>;
  /** Returned messages not released yet, by seq. */
  waiting: Waiting[];
}

/**
 * Releases the events of one key (a chat) in seq order, although concurrent inserts return out of commit
 * order under load (a committing backend can be descheduled before it answers). A message returned with seq N
 * was committed, so every insert issued after that gets a larger seq: N only waits for the inserts that were
 * already in flight when it returned, then goes out after every smaller seq among them.
 */
export class SeqGate {
  private readonly lanes = new Map<string, Lane>();

  /** Call right before the insert. */
  enter(key: string): SeqTicket {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { issued: 0, open: new Set(), waiting: [] };
      this.lanes.set(key, lane);
    }
    const id = ++lane.issued;
    lane.open.add(id);
    return new SeqTicket((item) => this.settle(key, id, item));
  }

  /** Keys with inserts in flight or events held back (for tests and metrics). */
  get size(): number {
    return this.lanes.size;
  }

  private settle(key: string, id: number, item?: { seq: number; release: () => void }): void {
    const lane = this.lanes.get(key);
    if (!lane?.open.delete(id)) {
      item?.release();
      return;
    }
    if (item) {
      const at = lane.waiting.findIndex((w) => w.seq > item.seq);
      const waiting = { ...item, barrier: lane.issued };
      if (at === -1) lane.waiting.push(waiting);
      else lane.waiting.splice(at, 0, waiting);
    }
    let failure: unknown;
    while (lane.waiting.length > 0) {
      const head = lane.waiting[0];
      const oldestOpen = lane.open.values().next().value;
      if (oldestOpen !== undefined && oldestOpen <= head.barrier) break;
      lane.waiting.shift();
      try {
        head.release();
      } catch (error) {
        failure ??= error;
      }
    }
    if (lane.open.size === 0 && lane.waiting.length === 0) this.lanes.delete(key);
    if (failure !== undefined) throw failure;
  }
}

export class SeqTicket {
  private settled = false;

  constructor(private readonly settle: (item?: { seq: number; release: () => void }) => void) {}

  /** The insert stored message `seq`; `release` runs once no smaller seq of this key can still appear here. */
  release(seq: number, release: () => void): void {
    if (this.settled) return release();
    this.settled = true;
    this.settle({ seq, release });
  }

  /** The insert stored nothing (it failed, was refused, or found the clientId already used). */
  abandon(): void {
    if (this.settled) return;
    this.settled = true;
    this.settle();
  }
}

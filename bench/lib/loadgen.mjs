// The main-thread side of the load generator: spreads users over worker threads and merges their counts.
import { Worker } from 'node:worker_threads';
import { merge, newHist } from './hist.mjs';

export class LoadGenerator {
  constructor({ users, workers, bodyBytes }) {
    this.slices = Array.from({ length: workers }, () => []);
    // Round-robin, so the first N users (the throughput clients) are spread evenly too.
    users.forEach((u, i) => this.slices[i % workers].push(u));
    this.workers = this.slices.map(
      (slice, workerId) => new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { workerId, users: slice, bodyBytes } }),
    );
    this.pending = new Map();
    this.nextId = 0;
    for (const worker of this.workers) {
      worker.on('message', ({ id, result, error }) => {
        const p = this.pending.get(id);
        this.pending.delete(id);
        if (error) p.reject(new Error(error));
        else p.resolve(result);
      });
      worker.on('error', (error) => {
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
    }
  }

  call(worker, cmd, args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, cmd, args });
    });
  }

  all(cmd, argsFor) {
    return Promise.all(this.workers.map((w, i) => this.call(w, cmd, argsFor(i))));
  }

  /** Connects the first `count` users to `url`; each worker opens its share `concurrency` at a time. */
  async connect(target, url, count, concurrency = 50) {
    const per = this.perWorker(count);
    const results = await this.all('connect', (i) => ({ target, url, count: per[i], concurrency }));
    const errors = {};
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return {
      connected: results.reduce((a, r) => a + r.connected, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      errors,
      ms: Math.max(...results.map((r) => r.ms)),
    };
  }

  disconnect(target) {
    return this.all('disconnect', () => ({ target }));
  }

  perWorker(count) {
    return this.slices.map((_, i) => Math.floor(count / this.workers.length) + (i < count % this.workers.length ? 1 : 0));
  }

  /** Runs one step on every worker at once; resolves when the last message has been sent (not acked). */
  async step({ target, tag, rate, senders, warmupMs, measureMs, startAt, ackTimeoutMs }) {
    const sendersPer = this.perWorker(senders);
    await this.all('step', (i) => ({
      target,
      measureTag: `${tag}m`,
      warmupTag: `${tag}w`,
      rate: (rate * sendersPer[i]) / senders,
      senders: sendersPer[i],
      warmupMs,
      measureMs,
      startAt,
      ackTimeoutMs,
    }));
  }

  async counts() {
    const parts = await this.all('counts', () => ({}));
    const sum = { sent: 0, ackOk: 0, ackErr: 0, pending: 0, received: 0, sending: false };
    for (const p of parts) {
      if (!p) continue;
      for (const k of ['sent', 'ackOk', 'ackErr', 'pending', 'received']) sum[k] += p[k];
      sum.sending ||= p.sending;
    }
    return sum;
  }

  async stats() {
    const parts = await this.all('stats', () => ({}));
    const out = { sent: 0, ackOk: 0, ackErr: 0, pending: 0, received: 0, windowArrivals: 0, maxLagMs: 0, genLoopP99: 0, genLoopMax: 0, errors: {} };
    out.ackHist = newHist();
    out.e2eHist = newHist();
    for (const p of parts) {
      for (const k of ['sent', 'ackOk', 'ackErr', 'pending', 'received', 'windowArrivals']) out[k] += p[k];
      out.maxLagMs = Math.max(out.maxLagMs, p.maxLagMs);
      out.genLoopP99 = Math.max(out.genLoopP99, p.loopP99Ms);
      out.genLoopMax = Math.max(out.genLoopMax, p.loopMaxMs);
      for (const [k, v] of Object.entries(p.errors)) out.errors[k] = (out.errors[k] ?? 0) + v;
      merge(out.ackHist, p.ackHist);
      merge(out.e2eHist, p.e2eHist);
    }
    await this.all('end', () => ({}));
    return out;
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

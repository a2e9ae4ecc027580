// The load generator: socket.io clients that behave like the SPA (an outbox resent with the same clientId,
// dedupe by id, fill a seq gap with `after=`, resync after every reconnect) and write every operation and every
// received event to a history file, one JSON object per line, for the checker.
import { createWriteStream } from 'node:fs';
import { io } from 'socket.io-client';

const ACK_TIMEOUT_MS = 15_000;
const PAGE = 200;
const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED']);

export class History {
  constructor(file) {
    this.file = file;
    this.out = createWriteStream(file);
    this.count = 0;
  }

  log(record) {
    this.count++;
    this.out.write(`${JSON.stringify({ t: Date.now(), ...record })}\n`);
  }

  close() {
    return new Promise((resolve) => this.out.end(resolve));
  }
}

class SimClient {
  constructor(load, index, user) {
    this.load = load;
    this.u = index;
    this.user = user;
    this.socket = null;
    this.held = new Map(); // seq -> id
    this.contiguous = 0;
    this.outbox = new Map(); // clientId -> { attempts }
    this.inFlight = new Set();
    this.emittedAt = new Map();
    this.retries = new Map();
    this.backingOff = new Set();
    this.sent = 0;
    this.disconnectedAt = null;
    this.stopped = false;
    this.syncing = null;
    this.resyncWanted = false;
    this.attempts = 0;
    this.draining = false;
  }

  get connected() {
    return this.socket?.connected === true;
  }

  connect() {
    if (this.stopped) return;
    const url = this.load.pickUrl();
    const socket = io(url, { transports: ['websocket'], auth: { token: this.user.token }, reconnection: false, forceNew: true, timeout: 20_000 });
    this.socket = socket;
    this.url = url;
    socket.on('connect', () => {
      const downMs = this.disconnectedAt === null ? null : Date.now() - this.disconnectedAt;
      this.load.history.log({ k: 'conn', u: this.u, url, downMs });
      if (downMs !== null) this.load.reconnects.push(downMs);
      this.disconnectedAt = null;
      this.attempts = 0;
      this.draining = false;
      this.flushOutbox();
      void this.resync();
    });
    // The instance is shutting down: as the SPA does, nothing more is sent on this socket; what was sent is answered.
    socket.on('server:draining', () => {
      if (this.socket !== socket) return;
      this.draining = true;
      this.load.history.log({ k: 'draining', u: this.u, url });
    });
    socket.on('message:new', (m) => {
      this.load.history.log({ k: 'recv', u: this.u, c: m.chatId, id: m.id, seq: m.seq });
      this.hold(m.seq, m.id);
      // Something before this seq is missing: fetch it, as the SPA does.
      if (this.contiguous < m.seq) void this.resync();
    });
    const lost = (reason) => {
      if (this.socket !== socket) return;
      this.socket = null;
      socket.removeAllListeners();
      socket.close();
      this.disconnectedAt ??= Date.now();
      this.draining = false;
      this.load.history.log({ k: 'disc', u: this.u, url, reason: String(reason) });
      // Sends without an answer on a lost connection go back to the outbox (same clientId).
      for (const clientId of this.inFlight) {
        this.load.history.log({ k: 'unanswered', u: this.u, cid: clientId });
        this.outbox.set(clientId, true);
      }
      this.inFlight.clear();
      // The SPA's schedule (socket.io-client with reconnectionDelay 300, reconnectionDelayMax 3000): 0.3 s doubling,
      // each ±50 %, capped at 3 s.
      const delay = Math.min(3000, 300 * 2 ** this.attempts++ * (0.5 + Math.random()));
      if (!this.stopped) setTimeout(() => this.connect(), delay);
    };
    socket.on('disconnect', lost);
    socket.on('connect_error', (err) => lost(`connect_error: ${err.message}`));
  }

  hold(seq, id) {
    const known = this.held.get(seq);
    if (known && known !== id) this.load.history.log({ k: 'conflict', u: this.u, seq, id, known });
    this.held.set(seq, id);
    while (this.held.has(this.contiguous + 1)) this.contiguous++;
  }

  /** `after=` from the newest contiguous seq, page by page, on whichever instance this client is on. */
  async resync() {
    if (this.syncing) {
      this.resyncWanted = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.resyncWanted = false;
        for (;;) {
          const url = this.url ?? this.load.pickUrl();
          const res = await fetch(`${url}/api/v1/chats/${this.user.chatId}/messages?after=${this.contiguous}&limit=${PAGE}`, {
            headers: { authorization: `Bearer ${this.user.token}` },
            signal: AbortSignal.timeout(10_000),
          }).catch(() => null);
          if (!res || res.status !== 200) {
            this.load.history.log({ k: 'resync-failed', u: this.u, status: res?.status ?? 0 });
            if (this.stopped) return;
            await new Promise((r) => setTimeout(r, 500));
            if (!this.connected && !this.load.finalizing) return;
            continue;
          }
          const { items } = await res.json();
          for (const m of items) {
            this.load.history.log({ k: 'fetched', u: this.u, c: m.chatId, id: m.id, seq: m.seq });
            this.hold(m.seq, m.id);
          }
          if (items.length < PAGE) break;
        }
      } while (this.resyncWanted);
    })().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  send() {
    const clientId = `u${this.u}-${++this.sent}`;
    this.load.history.log({ k: 'send', u: this.u, c: this.user.chatId, cid: clientId, sender: this.user.userId });
    this.outbox.set(clientId, true);
    this.flushOutbox();
  }

  flushOutbox() {
    if (!this.connected || this.draining) return;
    for (const clientId of [...this.outbox.keys()]) {
      if (this.inFlight.has(clientId)) continue;
      this.outbox.delete(clientId);
      this.emit(clientId);
    }
  }

  emit(clientId) {
    const socket = this.socket;
    this.inFlight.add(clientId);
    this.emittedAt.set(clientId, Date.now());
    this.load.history.log({ k: 'emit', u: this.u, cid: clientId, url: this.url });
    socket.timeout(ACK_TIMEOUT_MS).emit('message:send', { chatId: this.user.chatId, clientId, body: `m ${clientId}` }, (err, res) => {
      if (!this.inFlight.delete(clientId)) return; // already counted as unanswered on a lost connection
      if (err) {
        this.load.history.log({ k: 'timeout', u: this.u, cid: clientId });
        this.retryLater(clientId);
      } else if (res.ok) {
        this.load.history.log({ k: 'ack', u: this.u, cid: clientId, id: res.message.id, seq: res.message.seq, sender: this.user.userId });
        this.load.ackCount++;
        this.retries.delete(clientId);
        if (res.message.seq && this.emittedAt.get(clientId) > this.load.lastAckEmitAfter) this.load.lastAckAt = Date.now();
        this.emittedAt.delete(clientId);
        this.hold(res.message.seq, res.message.id);
      } else {
        const retryable = RETRYABLE.has(res.error.code);
        this.load.history.log({ k: 'err', u: this.u, cid: clientId, code: res.error.code, retryable });
        // The SPA offers Retry for any failure, with the same clientId; the checker counts non-retryable answers.
        this.retryLater(clientId);
      }
    });
  }

  /** Resends back off per message (0.5 s doubling to 8 s, ±50 %), so an outage is not answered with a retry storm. */
  retryLater(clientId) {
    const attempt = (this.retries.get(clientId) ?? 0) + 1;
    this.retries.set(clientId, attempt);
    const delay = Math.min(8000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random());
    this.backingOff.add(clientId);
    setTimeout(() => {
      this.backingOff.delete(clientId);
      this.outbox.set(clientId, true);
      this.flushOutbox();
    }, delay);
  }

  get pending() {
    return this.outbox.size + this.inFlight.size + this.backingOff.size;
  }

  stop() {
    this.stopped = true;
    this.socket?.removeAllListeners();
    this.socket?.close();
    this.socket = null;
  }
}

export class LoadGenerator {
  constructor({ users, apps, history, rate }) {
    this.apps = apps;
    this.history = history;
    this.rate = rate;
    this.clients = users.map((user, i) => new SimClient(this, i, user));
    this.reconnects = [];
    this.timer = null;
    this.finalizing = false;
    this.next = 0;
    /** Set by a scenario: `lastAckAt` then only moves for sends emitted after this moment. */
    this.lastAckEmitAfter = 0;
    this.lastAckAt = 0;
    this.ackCount = 0;
  }

  pickUrl() {
    const live = this.apps.filter((a) => a.alive);
    const pool = live.length ? live : this.apps;
    return pool[Math.floor(Math.random() * pool.length)].url;
  }

  async connectAll(timeoutMs = 120_000) {
    for (const [i, client] of this.clients.entries()) {
      client.connect();
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 100));
    }
    const deadline = Date.now() + timeoutMs;
    while (this.clients.some((c) => !c.connected)) {
      if (Date.now() > deadline) throw new Error(`only ${this.clients.filter((c) => c.connected).length} of ${this.clients.length} clients connected`);
      await new Promise((r) => setTimeout(r, 200));
    }
    this.reconnects = [];
  }

  /** Sends at `rate` messages per second overall, round-robin over the clients (offline ones queue in their outbox). */
  startSending() {
    const tickMs = 50;
    let carry = 0;
    this.timer = setInterval(() => {
      carry += (this.rate * tickMs) / 1000;
      while (carry >= 1) {
        carry--;
        this.clients[this.next++ % this.clients.length].send();
      }
    }, tickMs);
  }

  stopSending() {
    clearInterval(this.timer);
    this.timer = null;
  }

  get sends() {
    return this.clients.reduce((n, c) => n + c.sent, 0);
  }

  /** Waits until every outbox is empty and every client is connected, then a last resync each; then the final state. */
  async drain(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (this.clients.some((c) => c.pending > 0 || !c.connected)) {
      if (Date.now() > deadline) break;
      for (const c of this.clients) c.flushOutbox();
      await new Promise((r) => setTimeout(r, 500));
    }
    const stuck = this.clients.filter((c) => c.pending > 0).length;
    this.finalizing = true;
    for (let i = 0; i < this.clients.length; i += 50) await Promise.all(this.clients.slice(i, i + 50).map((c) => c.resync()));
    for (const c of this.clients) {
      const seqs = [...c.held.keys()].sort((a, b) => a - b);
      this.history.log({ k: 'final', u: c.u, c: c.user.chatId, seqs, ids: seqs.map((s) => c.held.get(s)), pending: c.pending });
    }
    return { stuck };
  }

  stop() {
    this.stopSending();
    for (const c of this.clients) c.stop();
  }
}

// One load-generator thread: holds socket.io clients for its slice of users, sends on an open-loop
// schedule (a slow server does not slow the sender down), and counts acks and deliveries per step.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { io } from 'socket.io-client';
import { newHist, record } from './hist.mjs';

const { workerId, users, bodyBytes } = workerData;
// Epoch milliseconds with sub-millisecond precision that agree across threads of one process.
const now = () => performance.timeOrigin + performance.now();
const sockets = new Map(); // target -> socket[] aligned with users
const FILLER = 'x'.repeat(Math.max(0, bodyBytes));

let step = null;
let clientSeq = 0;
// The generator's own stalls delay the arrival timestamps; reported so they are not blamed on a server.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

function freshStep(spec) {
  loop.reset();
  return {
    ...spec,
    measureStart: spec.startAt + spec.warmupMs,
    measureEnd: spec.startAt + spec.warmupMs + spec.measureMs,
    sent: 0,
    ackOk: 0,
    ackErr: 0,
    pending: 0,
    received: 0,
    windowArrivals: 0,
    maxLagMs: 0,
    errors: {},
    ackHist: newHist(),
    e2eHist: newHist(),
    sending: true,
  };
}

function onMessageNew(message) {
  const s = step;
  if (!s || typeof message?.body !== 'string') return;
  const t = now();
  const body = message.body;
  const cut = body.indexOf('|');
  const tag = body.slice(0, cut);
  if (tag !== s.measureTag && tag !== s.warmupTag) return;
  if (t >= s.measureStart && t <= s.measureEnd) s.windowArrivals++;
  if (tag !== s.measureTag) return;
  s.received++;
  record(s.e2eHist, t - Number(body.slice(cut + 1, body.indexOf('|', cut + 1))));
}

function connectOne(target, url, user) {
  return new Promise((resolve) => {
    const socket = io(url, {
      transports: ['websocket'],
      auth: { token: user.token },
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    socket.on('message:new', onMessageNew);
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve({ error: error.message });
    });
  });
}

async function connect({ target, url, count, concurrency }) {
  const list = sockets.get(target) ?? [];
  sockets.set(target, list);
  const started = now();
  const errors = {};
  let failed = 0;
  let next = list.length;
  const end = Math.min(count, users.length);
  async function lane() {
    while (next < end) {
      const i = next++;
      const result = await connectOne(target, url, users[i]);
      if (result.socket) list[i] = result.socket;
      else {
        failed++;
        errors[result.error] = (errors[result.error] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { connected: list.filter(Boolean).length, failed, errors, ms: now() - started };
}

async function disconnect({ target }) {
  const list = sockets.get(target) ?? [];
  for (const socket of list) socket?.disconnect();
  sockets.delete(target);
  return { closed: list.length };
}

function sendOne(s, list, k, phaseTag) {
  const { socket, user } = list[k % list.length];
  const t0 = now();
  const measured = phaseTag === s.measureTag;
  s.sent++;
  s.pending++;
  const payload = {
    chatId: user.chatId,
    clientId: `${phaseTag}-${workerId}-${clientSeq++}`,
    body: `${phaseTag}|${t0.toFixed(3)}|${FILLER}`,
  };
  socket.timeout(s.ackTimeoutMs).emit('message:send', payload, (err, res) => {
    s.pending--;
    if (!measured) return;
    if (!err && res?.ok) {
      s.ackOk++;
      record(s.ackHist, now() - t0);
    } else {
      s.ackErr++;
      const key = err ? 'ack timeout' : (res?.error?.code ?? 'malformed ack');
      s.errors[key] = (s.errors[key] ?? 0) + 1;
    }
  });
}

/** Sends message k at startAt + k / rate; a late tick catches up so the count is exact. */
function runStep(spec) {
  const s = freshStep(spec);
  step = s;
  const list = (sockets.get(spec.target) ?? [])
    .map((socket, i) => ({ socket, user: users[i] }))
    .filter((c) => c.socket)
    .slice(0, spec.senders);
  const interval = 1000 / spec.rate;
  const total = Math.floor(((spec.warmupMs + spec.measureMs) * spec.rate) / 1000);
  let k = 0;
  return new Promise((resolve) => {
    if (list.length === 0 || total === 0) {
      s.sending = false;
      resolve();
      return;
    }
    const tick = () => {
      const t = now();
      while (k < total && spec.startAt + k * interval <= t) {
        const scheduled = spec.startAt + k * interval;
        s.maxLagMs = Math.max(s.maxLagMs, t - scheduled);
        sendOne(s, list, k, scheduled < s.measureStart ? s.warmupTag : s.measureTag);
        k++;
      }
      if (k < total) setTimeout(tick, Math.max(0, Math.min(5, spec.startAt + k * interval - now())));
      else {
        s.sending = false;
        resolve();
      }
    };
    setTimeout(tick, Math.max(0, spec.startAt - now()));
  });
}

function counts() {
  const s = step;
  if (!s) return null;
  return { sent: s.sent, ackOk: s.ackOk, ackErr: s.ackErr, pending: s.pending, received: s.received, sending: s.sending };
}

function stats() {
  const s = step;
  return {
    ...counts(),
    windowArrivals: s.windowArrivals,
    maxLagMs: s.maxLagMs,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    errors: s.errors,
    ackHist: s.ackHist.slice(),
    e2eHist: s.e2eHist.slice(),
  };
}

const handlers = {
  connect,
  disconnect,
  step: async (spec) => {
    await runStep(spec);
    return { sent: step.sent };
  },
  counts: async () => counts(),
  stats: async () => stats(),
  end: async () => {
    step = null;
    return {};
  },
};

parentPort.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await handlers[cmd](args ?? {});
    const transfer = cmd === 'stats' ? [result.ackHist.buffer, result.e2eHist.buffer] : [];
    parentPort.postMessage({ id, result }, transfer);
  } catch (error) {
    parentPort.postMessage({ id, error: error.stack ?? String(error) });
  }
});

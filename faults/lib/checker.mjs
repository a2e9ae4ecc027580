// The checker: judges a history (every send, ack, error and received event, and each client's final state)
// against the database. Pure: it reads records and rows, so it can be fed planted histories in its own tests.
import { readFileSync } from 'node:fs';

export function readHistory(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * @param records history records ({k:'send'|'ack'|'err'|'timeout'|'recv'|'fetched'|'final'|'fault', ...})
 * @param rows    every message row: {id, chatId, seq, senderId, clientId}
 * @param options.downWindows [{from, to}] when a dependency was down; an ack for a send emitted inside one is suspect
 */
export function check(records, rows, { downWindows = [] } = {}) {
  const problems = [];
  const byKey = new Map(); // sender|clientId -> rows
  const byChat = new Map(); // chatId -> rows
  for (const row of rows) {
    const key = `${row.senderId}|${row.clientId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
    byChat.set(row.chatId, [...(byChat.get(row.chatId) ?? []), row]);
  }

  const sends = new Map(); // cid -> {sender, chat}
  const acks = new Map(); // sender|cid -> Set of acked ids
  let errors = 0;
  let nonRetryable = 0;
  let timeouts = 0;
  let unanswered = 0;
  let emits = 0;
  let acksWhileDown = 0;
  const lastEmit = new Map();
  for (const r of records) {
    if (r.k === 'send') sends.set(r.cid, { sender: r.sender, chat: r.c });
    else if (r.k === 'emit') {
      emits++;
      lastEmit.set(r.cid, r.t);
    } else if (r.k === 'ack') {
      const key = `${r.sender}|${r.cid}`;
      acks.set(key, new Set([...(acks.get(key) ?? []), r.id]));
      const emittedAt = lastEmit.get(r.cid) ?? r.t;
      if (downWindows.some((w) => emittedAt >= w.from && r.t <= w.to)) acksWhileDown++;
    } else if (r.k === 'err') {
      errors++;
      if (!r.retryable) nonRetryable++;
    } else if (r.k === 'timeout') timeouts++;
    else if (r.k === 'unanswered') unanswered++;
  }

  // Lost: acknowledged but not stored, or stored under another id than the one acknowledged.
  let lost = 0;
  for (const [key, ids] of acks) {
    const stored = byKey.get(key) ?? [];
    for (const id of ids) {
      if (!stored.some((row) => row.id === id)) {
        lost++;
        problems.push(`lost: ${key} was acknowledged as ${id} but no such row exists`);
      }
    }
  }

  // Duplicated: one (sender, clientId) stored twice, or acknowledged with two different ids.
  let duplicated = 0;
  for (const [key, stored] of byKey) {
    if (stored.length > 1) {
      duplicated += stored.length - 1;
      problems.push(`duplicate: ${key} is stored ${stored.length} times`);
    }
  }
  for (const [key, ids] of acks) {
    if (ids.size > 1) {
      duplicated += ids.size - 1;
      problems.push(`duplicate: ${key} was acknowledged with ${ids.size} different ids`);
    }
  }

  // Gaps: a chat whose seqs are not 1..n, or a client whose final state is not exactly its chat's rows in seq order.
  let gaps = 0;
  for (const [chatId, stored] of byChat) {
    const seqs = stored.map((r) => r.seq).sort((a, b) => a - b);
    for (let i = 0; i < seqs.length; i++) {
      if (seqs[i] !== i + 1) {
        gaps++;
        problems.push(`gap: chat ${chatId} has seq ${seqs[i]} at position ${i + 1}`);
        break;
      }
    }
  }
  let clientsChecked = 0;
  let clientsComplete = 0;
  for (const f of records.filter((r) => r.k === 'final')) {
    clientsChecked++;
    const expected = (byChat.get(f.c) ?? []).slice().sort((a, b) => a.seq - b.seq);
    const missing = expected.filter((row) => f.ids[f.seqs.indexOf(row.seq)] !== row.id);
    const extra = f.ids.length - new Set(f.ids).size;
    const ordered = f.seqs.every((s, i) => i === 0 || s > f.seqs[i - 1]);
    const foreign = f.ids.filter((id) => !expected.some((row) => row.id === id)).length;
    if (missing.length || extra || !ordered || foreign) {
      gaps++;
      problems.push(
        `gap: client ${f.u} in chat ${f.c} holds ${f.ids.length} of ${expected.length} messages` +
          (missing.length ? `, missing seq ${missing.slice(0, 5).map((r) => r.seq).join(',')}` : '') +
          (extra ? `, ${extra} twice` : '') +
          (ordered ? '' : ', out of order') +
          (foreign ? `, ${foreign} not in the database` : ''),
      );
    } else clientsComplete++;
  }

  // Sends that never got an ack by the end (still in an outbox): reported, and not counted as lost (never acked).
  const unacked = [...sends].filter(([cid, s]) => !acks.has(`${s.sender}|${cid}`)).length;

  return {
    operations: sends.size,
    emits,
    acked: acks.size,
    unacked,
    errors,
    nonRetryable,
    timeouts,
    unanswered,
    acksWhileDown,
    lost,
    duplicated,
    gaps,
    clientsChecked,
    clientsComplete,
    rows: rows.length,
    problems,
  };
}

// The checker is itself under test: fed histories with a planted fault, it must report each one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../lib/checker.mjs';

const alice = 'user-a';
const bob = 'user-b';
const chat = 'chat-1';

/** A clean run: alice sends two messages, bob one; all acked, all stored, both clients end with all three. */
function cleanRun() {
  const rows = [
    { id: 'm1', chatId: chat, seq: 1, senderId: alice, clientId: 'a-1' },
    { id: 'm2', chatId: chat, seq: 2, senderId: bob, clientId: 'b-1' },
    { id: 'm3', chatId: chat, seq: 3, senderId: alice, clientId: 'a-2' },
  ];
  const records = [
    { t: 1, k: 'send', u: 0, c: chat, cid: 'a-1', sender: alice },
    { t: 2, k: 'emit', u: 0, cid: 'a-1' },
    { t: 3, k: 'ack', u: 0, cid: 'a-1', id: 'm1', seq: 1, sender: alice },
    { t: 4, k: 'send', u: 1, c: chat, cid: 'b-1', sender: bob },
    { t: 5, k: 'emit', u: 1, cid: 'b-1' },
    { t: 6, k: 'ack', u: 1, cid: 'b-1', id: 'm2', seq: 2, sender: bob },
    { t: 7, k: 'send', u: 0, c: chat, cid: 'a-2', sender: alice },
    { t: 8, k: 'emit', u: 0, cid: 'a-2' },
    { t: 9, k: 'ack', u: 0, cid: 'a-2', id: 'm3', seq: 3, sender: alice },
    { t: 10, k: 'final', u: 0, c: chat, seqs: [1, 2, 3], ids: ['m1', 'm2', 'm3'] },
    { t: 10, k: 'final', u: 1, c: chat, seqs: [1, 2, 3], ids: ['m1', 'm2', 'm3'] },
  ];
  return { rows, records };
}

describe('fault checker', () => {
  it('passes a clean history with its counts', () => {
    const { rows, records } = cleanRun();
    const verdict = check(records, rows);
    assert.deepEqual(
      { operations: verdict.operations, acked: verdict.acked, lost: verdict.lost, duplicated: verdict.duplicated, gaps: verdict.gaps, complete: verdict.clientsComplete },
      { operations: 3, acked: 3, lost: 0, duplicated: 0, gaps: 0, complete: 2 },
    );
    assert.deepEqual(verdict.problems, []);
  });

  it('reports a planted lost ack: acknowledged, but the row is not in the database', () => {
    const { rows, records } = cleanRun();
    const verdict = check(records, rows.filter((r) => r.id !== 'm2').map((r) => (r.seq === 3 ? { ...r, seq: 2 } : r)));
    assert.equal(verdict.lost, 1);
    assert.match(verdict.problems.join('\n'), /lost: user-b\|b-1 was acknowledged as m2/);
  });

  it('reports a planted duplicate: one (sender, clientId) stored twice, and acked with two ids', () => {
    const { rows, records } = cleanRun();
    rows.push({ id: 'm4', chatId: chat, seq: 4, senderId: alice, clientId: 'a-1' });
    records.push({ t: 11, k: 'ack', u: 0, cid: 'a-1', id: 'm4', seq: 4, sender: alice });
    const verdict = check(records, rows);
    assert.equal(verdict.duplicated, 2);
    assert.match(verdict.problems.join('\n'), /duplicate: user-a\|a-1 is stored 2 times/);
    assert.match(verdict.problems.join('\n'), /duplicate: user-a\|a-1 was acknowledged with 2 different ids/);
  });

  it('reports a planted gap: a client that ends without a message of its chat', () => {
    const { rows, records } = cleanRun();
    const final = records.find((r) => r.k === 'final' && r.u === 1);
    final.seqs = [1, 3];
    final.ids = ['m1', 'm3'];
    const verdict = check(records, rows);
    assert.equal(verdict.gaps, 1);
    assert.equal(verdict.clientsComplete, 1);
    assert.match(verdict.problems.join('\n'), /gap: client 1 in chat chat-1 holds 2 of 3 messages, missing seq 2/);
  });

  it('reports a gap in a chat\'s seqs, a message held twice, and an ack for a send made while the database was down', () => {
    const { rows, records } = cleanRun();
    rows[2] = { ...rows[2], seq: 5 };
    const final = records.find((r) => r.k === 'final' && r.u === 0);
    final.seqs = [1, 2, 5, 6];
    final.ids = ['m1', 'm2', 'm3', 'm3'];
    const verdict = check(records, rows, { downWindows: [{ from: 7.5, to: 9.5 }] });
    assert.match(verdict.problems.join('\n'), /gap: chat chat-1 has seq 5 at position 3/);
    assert.match(verdict.problems.join('\n'), /client 0 .* 1 twice/);
    assert.equal(verdict.acksWhileDown, 1);
  });
});

import { describe, expect, it } from 'vitest';
import { SeqGate } from './seq-gate';

describe('SeqGate', () => {
  it('releases in seq order when inserts return out of order', () => {
    const gate = new SeqGate();
    const out: number[] = [];
    const [a, b, c] = [gate.enter('chat'), gate.enter('chat'), gate.enter('chat')];
    c.release(3, () => out.push(3));
    b.release(2, () => out.push(2));
    expect(out).toEqual([]);
    a.release(1, () => out.push(1));
    expect(out).toEqual([1, 2, 3]);
    expect(gate.size).toBe(0);
  });

  it('does not hold a message back for inserts issued after it returned', () => {
    const gate = new SeqGate();
    const out: number[] = [];
    const a = gate.enter('chat');
    a.release(1, () => out.push(1));
    const later = gate.enter('chat');
    expect(out).toEqual([1]);
    const b = gate.enter('chat');
    b.release(3, () => out.push(3));
    // `later` was in flight when 3 returned, so it may still be 2.
    expect(out).toEqual([1]);
    later.release(2, () => out.push(2));
    expect(out).toEqual([1, 2, 3]);
  });

  it('lets an abandoned insert unblock the others, and keeps chats independent', () => {
    const gate = new SeqGate();
    const out: string[] = [];
    const failed = gate.enter('a');
    const ok = gate.enter('a');
    gate.enter('b').release(1, () => out.push('b1'));
    ok.release(1, () => out.push('a1'));
    expect(out).toEqual(['b1']);
    failed.abandon();
    expect(out).toEqual(['b1', 'a1']);
    expect(gate.size).toBe(0);
  });

  it('still delivers a release that comes after the ticket was given up', () => {
    const gate = new SeqGate();
    const out: number[] = [];
    const t = gate.enter('chat');
    t.abandon();
    t.release(1, () => out.push(1));
    expect(out).toEqual([1]);
  });
});

import { describe, expect, it } from 'vitest';
import { message } from '@/testing/data';
import { flattenAscending, insertMessages, maxSeq, patchMessage, type MessagePages } from './merge';

const chat = '20000000-0000-4000-8000-000000000001';
const pages = (...seqPages: number[][]): MessagePages => ({
  pages: seqPages.map((seqs) => ({ items: seqs.map((s) => message(chat, s)) })),
  pageParams: seqPages.map(() => ({})),
});

describe('message cache merging (unit)', () => {
  it('flattens newest-first pages into one oldest-first list', () => {
    expect(flattenAscending(pages([6, 5, 4], [3, 2, 1])).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('adds a new message once, however often it arrives (socket, ack, resync)', () => {
    const data = pages([3, 2, 1]);
    const m4 = message(chat, 4);
    const once = insertMessages(data, [m4], false);
    const twice = insertMessages(insertMessages(once, [m4], false), [m4, m4], false);
    expect(flattenAscending(twice).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(maxSeq(twice)).toBe(4);
  });

  it('keeps seq order when a resync delivers messages out of order', () => {
    const data = insertMessages(pages([3, 2, 1]), [message(chat, 6), message(chat, 4), message(chat, 5)], false);
    expect(flattenAscending(data).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('replaces an edited message in place and marks a deleted one', () => {
    const data = pages([2, 1]);
    const target = data.pages[0]!.items[1]!;
    const edited = insertMessages(data, [{ ...target, body: 'fixed', editedAt: '2026-01-01T13:00:00.000Z' }], false);
    expect(flattenAscending(edited).find((m) => m.id === target.id)?.body).toBe('fixed');
    expect(flattenAscending(edited)).toHaveLength(2);
    const deleted = patchMessage(edited, target.id, { body: null, deletedAt: '2026-01-01T14:00:00.000Z' });
    expect(flattenAscending(deleted).find((m) => m.id === target.id)?.body).toBeNull();
  });

  it('leaves messages older than the loaded history to paging, so no hole appears', () => {
    const data = pages([10, 9, 8]);
    expect(flattenAscending(insertMessages(data, [message(chat, 3)], true)).map((m) => m.seq)).toEqual([8, 9, 10]);
    expect(flattenAscending(insertMessages(data, [message(chat, 3)], false)).map((m) => m.seq)).toEqual([3, 8, 9, 10]);
  });
});

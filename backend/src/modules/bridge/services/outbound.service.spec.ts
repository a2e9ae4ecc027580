import { describe, expect, it } from 'vitest';
import { partsOf, stateOf } from './outbound.service';

const file = (n: number) => ({ attachmentId: `a${n}`, fileName: `f${n}.png`, contentType: 'image/png', size: 10 });

describe('outbound parts', () => {
  it('sends plain text as one message', () => {
    expect(partsOf('telegram', { text: 'hi', files: [] })).toEqual([{ kind: 'text', text: 'hi' }]);
  });

  it('Telegram: a short text rides on the first file as its caption', () => {
    expect(partsOf('telegram', { text: 'look', files: [file(1), file(2)] })).toEqual([
      { kind: 'file', index: 0, caption: 'look' },
      { kind: 'file', index: 1 },
    ]);
  });

  it('Telegram: a text over the caption limit goes first on its own', () => {
    const text = 'x'.repeat(1025);
    expect(partsOf('telegram', { text, files: [file(1)] })).toEqual([{ kind: 'text', text }, { kind: 'file', index: 0 }]);
  });

  it('Avito: text first, then every image (Avito images carry no caption)', () => {
    expect(partsOf('avito', { text: 'photos', files: [file(1), file(2)] })).toEqual([
      { kind: 'text', text: 'photos' },
      { kind: 'file', index: 0 },
      { kind: 'file', index: 1 },
    ]);
    expect(partsOf('avito', { text: '', files: [file(1)] })).toEqual([{ kind: 'file', index: 0 }]);
  });
});

describe('provider failure to delivery state', () => {
  it('maps each failure kind as the issue says', () => {
    expect(stateOf({ kind: 'rate-limited', retryAfterSeconds: 3 })).toBe('pause');
    expect(stateOf({ kind: 'blocked', description: 'Forbidden: bot was blocked by the user' })).toBe('blocked');
    expect(stateOf({ kind: 'rejected', status: 400, description: "Bad Request: can't parse entities" })).toBe('failed');
    expect(stateOf({ kind: 'transient', description: '502 Bad Gateway' })).toBe('retry');
    expect(stateOf({ kind: 'unknown', description: 'socket hang up' })).toBe('unknown');
  });
});

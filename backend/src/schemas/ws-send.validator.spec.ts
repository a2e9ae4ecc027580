import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { validatePayload } from '@/core/validation';
import { WsSendMessageDto } from './realtime.dto';
import { fastSendPayload, validateSendPayload } from './ws-send.validator';

const CHAT = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const A1 = '11111111-2222-4333-8444-555555555555';
const A2 = 'aaaaaaaa-bbbb-4ccc-9ddd-eeeeeeeeeeee';
const long = (n: number, c = 'x') => c.repeat(n);

type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: unknown };

const strip = (value: object) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

async function viaDto(payload: unknown): Promise<Outcome> {
  try {
    return { ok: true, value: strip(await validatePayload(WsSendMessageDto, structuredClone(payload))) };
  } catch (error) {
    return { ok: false, error };
  }
}

function viaFast(payload: unknown): Outcome | null {
  const value = fastSendPayload(structuredClone(payload));
  return value ? { ok: true, value: strip(value) } : null;
}

/** The send cases of the REST DTO's tests and the bad-input e2e suite, in their socket form, plus the edges of each rule. */
const named: Array<[string, unknown]> = [
  ['plain text', { chatId: CHAT, clientId: 'c1', body: 'hi' }],
  ['printable clientId', { chatId: CHAT, clientId: 'c-1_2.3:4', body: 'hi' }],
  ['clientId with a space', { chatId: CHAT, clientId: 'a b', body: 'hi' }],
  ['clientId with a line break', { chatId: CHAT, clientId: 'line\nbreak', body: 'hi' }],
  ['clientId with a tab', { chatId: CHAT, clientId: 'tab\t', body: 'hi' }],
  ['clientId not ASCII', { chatId: CHAT, clientId: 'ünïcode', body: 'hi' }],
  ['clientId NUL', { chatId: CHAT, clientId: '\u0000', body: 'hi' }],
  ['clientId 64', { chatId: CHAT, clientId: long(64), body: 'x' }],
  ['clientId 65 (over-long)', { chatId: CHAT, clientId: long(65), body: 'x' }],
  ['clientId empty', { chatId: CHAT, clientId: '', body: 'x' }],
  ['clientId number', { chatId: CHAT, clientId: 5, body: 'x' }],
  ['missing clientId', { chatId: CHAT, body: 'x' }],
  ['empty body', { chatId: CHAT, clientId: 'e1', body: '' }],
  ['blank body', { chatId: CHAT, clientId: 'e2', body: ' \n\t ' }],
  ['zero-width body', { chatId: CHAT, clientId: 'e2', body: '\u200b\ufeff' }],
  ['bidi-only body', { chatId: CHAT, clientId: 'e2', body: '\u202e\u2066' }],
  ['bidi controls stripped', { chatId: CHAT, clientId: 'e2', body: 'invoice\u202efdp.exe' }],
  ['4000 characters', { chatId: CHAT, clientId: 'e3', body: long(4000) }],
  ['4001 characters', { chatId: CHAT, clientId: 'e3', body: long(4001) }],
  ['4000 characters + bidi', { chatId: CHAT, clientId: 'e3', body: long(4000) + '\u202a' }],
  ['4000 emoji (surrogate pairs count once)', { chatId: CHAT, clientId: 'e3', body: long(4000, '😀') }],
  ['4001 emoji', { chatId: CHAT, clientId: 'e3', body: long(4001, '😀') }],
  ['variation selectors', { chatId: CHAT, clientId: 'e3', body: long(3999) + '❤️' }],
  ['body of the wrong type', { chatId: CHAT, clientId: 'e4', body: { text: 'x' } }],
  ['body number', { chatId: CHAT, clientId: 'e4', body: 5 }],
  ['body null', { chatId: CHAT, clientId: 'e4', body: null }],
  ['body with NUL', { chatId: CHAT, clientId: 'e4', body: 'a\u0000b' }],
  ['missing body', { chatId: CHAT, clientId: 'e4' }],
  ['bad replyToId', { chatId: CHAT, clientId: 'e5', body: 'x', replyToId: 'nope' }],
  ['replyToId', { chatId: CHAT, clientId: 'e5', body: 'x', replyToId: A1 }],
  ['replyToId null', { chatId: CHAT, clientId: 'e5', body: 'x', replyToId: null }],
  ['replyToId upper case', { chatId: CHAT, clientId: 'e5', body: 'x', replyToId: A2.toUpperCase() }],
  ['unknown field', { chatId: CHAT, clientId: 'e6', body: 'x', seq: 99 }],
  ['__proto__ field', JSON.parse(`{"chatId":"${CHAT}","clientId":"e6","body":"x","__proto__":{"admin":true}}`)],
  ['constructor field', { chatId: CHAT, clientId: 'e6', body: 'x', constructor: 1 }],
  ['bad uuid chatId', { chatId: '1', clientId: 'p1', body: 'x' }],
  ['missing chatId', { clientId: 'p1', body: 'x' }],
  ['nil uuid chatId', { chatId: '00000000-0000-0000-0000-000000000000', clientId: 'p1', body: 'x' }],
  ['chatId number', { chatId: 1, clientId: 'p1', body: 'x' }],
  ['attachments without text', { chatId: CHAT, clientId: 'a1', attachmentIds: [A1] }],
  ['attachments with empty text', { chatId: CHAT, clientId: 'a1', attachmentIds: [A1], body: '' }],
  ['attachments with bidi-only text', { chatId: CHAT, clientId: 'a1', attachmentIds: [A1], body: '\u202e' }],
  ['attachments with blank text', { chatId: CHAT, clientId: 'a1', attachmentIds: [A1], body: '  ' }],
  ['attachments with null text', { chatId: CHAT, clientId: 'a1', attachmentIds: [A1], body: null }],
  ['attachments with text', { chatId: CHAT, clientId: 'a1', attachmentIds: [A1, A2], body: 'look' }],
  ['attachments empty', { chatId: CHAT, clientId: 'a1', attachmentIds: [], body: 'x' }],
  ['attachments empty, no text', { chatId: CHAT, clientId: 'a1', attachmentIds: [] }],
  ['attachments repeated', { chatId: CHAT, clientId: 'a1', attachmentIds: [A1, A1] }],
  ['attachments 10', { chatId: CHAT, clientId: 'a1', attachmentIds: Array.from({ length: 10 }, (_, i) => A1.slice(0, -2) + String(i).padStart(2, '0')) }],
  ['attachments 11', { chatId: CHAT, clientId: 'a1', attachmentIds: Array.from({ length: 11 }, (_, i) => A1.slice(0, -2) + String(i).padStart(2, '0')) }],
  ['attachments bad uuid', { chatId: CHAT, clientId: 'a1', attachmentIds: ['nope'] }],
  ['attachments not an array', { chatId: CHAT, clientId: 'a1', attachmentIds: A1 }],
  ['attachments a string, text given', { chatId: CHAT, clientId: 'a1', attachmentIds: 'abc', body: 'x' }],
  ['attachments null', { chatId: CHAT, clientId: 'a1', attachmentIds: null, body: 'x' }],
  ['attachments null, no text', { chatId: CHAT, clientId: 'a1', attachmentIds: null }],
  ['attachments holding numbers', { chatId: CHAT, clientId: 'a1', attachmentIds: [1] }],
  ['attachments holding NUL', { chatId: CHAT, clientId: 'a1', attachmentIds: ['\u0000'] }],
  ['internal', { chatId: CHAT, clientId: 'i', body: 'x', internal: true, force: false }],
  ['internal null', { chatId: CHAT, clientId: 'i', body: 'x', internal: null, force: null }],
  ['internal as a string', { chatId: CHAT, clientId: 'i', body: 'x', internal: 'true' }],
  ['force as a number', { chatId: CHAT, clientId: 'i', body: 'x', force: 1 }],
  ['null', null],
  ['a string', 'hello'],
  ['a number', 5],
  ['an array', [{ chatId: CHAT, clientId: 'x', body: 'x' }]],
  ['empty object', {}],
  ['undefined', undefined],
];

/** Every combination would be millions; a fixed-seed sample of them covers the rules' interplay. */
const pools: Record<string, unknown[]> = {
  chatId: [CHAT, CHAT, CHAT, CHAT, undefined, 'nope', null, 7],
  clientId: ['c1', 'c1', 'c1', 'c1', undefined, '', 'a b', long(65), 3],
  body: ['hi', 'hi', undefined, '', '  ', '\u202e', 'a\u202eb', long(4001), null, 5, 'a\u0000'],
  replyToId: [undefined, undefined, A1, null, 'x'],
  attachmentIds: [undefined, undefined, undefined, null, [A1], [A1, A2], [], [A1, A1], ['x'], A1],
  internal: [undefined, undefined, true, false, null, 'yes'],
  force: [undefined, undefined, true, null, 0],
  extra: [undefined, undefined, undefined, undefined, undefined, 1],
};

function sample(count: number): unknown[] {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const out: Record<string, unknown> = {};
    for (const [key, pool] of Object.entries(pools)) {
      const value = pool[Math.floor(next() * pool.length)];
      if (value !== undefined) out[key] = value;
    }
    return out;
  });
}

async function expectAgreement(payload: unknown) {
  const dto = await viaDto(payload);
  const fast = viaFast(payload);
  // Keys the DTO strips or overwrites (`__proto__`, `constructor`) are left to it: the fast path declines, never differs.
  const leftToDto = payload !== null && typeof payload === 'object' && ['__proto__', 'constructor'].some((k) => Object.hasOwn(payload, k));
  if (dto.ok && leftToDto) expect(fast).toBeNull();
  else if (dto.ok) expect(fast, 'the DTO accepts it, so must the fast path').toEqual(dto);
  else expect(fast, 'the DTO refuses it, so must the fast path').toBeNull();
  // What the gateway calls answers exactly what the DTO answers, refusals included.
  const served = await Promise.resolve(validateSendPayload(structuredClone(payload))).then(
    (value) => ({ ok: true as const, value: strip(value) }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(served).toEqual(dto);
  return dto.ok;
}

describe('fastSendPayload agrees with WsSendMessageDto', () => {
  it.each(named)('%s', async (_name, payload) => {
    await expectAgreement(payload);
  });

  it('on 3,000 sampled combinations of every rule, valid and invalid alike', async () => {
    let accepted = 0;
    for (const payload of sample(3000)) if (await expectAgreement(payload)) accepted++;
    // Both outcomes must be well represented for the sample to prove anything.
    expect(accepted).toBeGreaterThan(30);
    expect(accepted).toBeLessThan(2970);
  });

  it('refusals carry the DTO fields', async () => {
    await expect(validateSendPayload({ chatId: CHAT, clientId: 'x', body: '', seq: 1 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: expect.arrayContaining(['body', 'seq']) },
    });
  });
});

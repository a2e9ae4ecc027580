import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validatePayload } from '@/core/validation';
import { PresenceQueryDto } from './presence.dto';

describe('PresenceQueryDto', () => {
  it('takes ids repeated, comma-separated or single', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect((await validatePayload(PresenceQueryDto, { ids: [a, b] })).ids).toEqual([a, b]);
    expect((await validatePayload(PresenceQueryDto, { ids: `${a},${b}` })).ids).toEqual([a, b]);
    expect((await validatePayload(PresenceQueryDto, { ids: a })).ids).toEqual([a]);
  });

  it('names ids when one is not a UUID or there are none', async () => {
    for (const ids of [`${randomUUID()},nope`, '', undefined]) {
      await expect(validatePayload(PresenceQueryDto, { ids })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['ids'] } });
    }
  });
});

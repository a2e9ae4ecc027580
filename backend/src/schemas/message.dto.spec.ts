import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { SendMessageDto } from './message.dto';

const failures = async (plain: object) =>
  (await validate(plainToInstance(SendMessageDto, plain))).map((e) => ({ field: e.property, messages: Object.values(e.constraints ?? {}) }));

describe('SendMessageDto', () => {
  it('accepts a printable clientId', async () => {
    expect(await failures({ clientId: 'c-1_2.3:4', body: 'hi' })).toEqual([]);
  });

  it.each([['a b'], ['line\nbreak'], ['tab\t'], ['ünïcode'], ['\u0000']])('refuses clientId %j, naming it', async (clientId) => {
    expect(await failures({ clientId, body: 'hi' })).toEqual([{ field: 'clientId', messages: ['clientId must be printable ASCII without spaces'] }]);
  });
});

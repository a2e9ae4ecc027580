import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { isUnavailableError } from './unavailable';

describe('isUnavailableError', () => {
  it('recognises a database or Redis that is down, also when TypeORM wraps the driver error', () => {
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(isUnavailableError(shutdown)).toBe(true);
    expect(isUnavailableError(new QueryFailedError('SELECT 1', [], shutdown))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailableError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
  });

  it('leaves every other failure alone: a bug stays a 500, a constraint stays what it is', () => {
    expect(isUnavailableError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isUnavailableError(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(isUnavailableError(undefined)).toBe(false);
    expect(isUnavailableError('ECONNREFUSED')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { jsonLimitViolation } from './json-limits';

const limits = { maxDepth: 32, maxNodes: 1000 };

describe('jsonLimitViolation', () => {
  it('accepts ordinary bodies, including brackets and quotes inside strings', () => {
    expect(jsonLimitViolation('{"body":"[[[[{{{{\\"]]]]","clientId":"a"}', limits)).toBeNull();
    expect(jsonLimitViolation(`${'['.repeat(32)}${']'.repeat(32)}`, limits)).toBeNull();
  });

  it('names the depth limit past 32 levels, and the value limit past maxNodes', () => {
    expect(jsonLimitViolation('['.repeat(400_000), limits)).toMatch(/deeper than the limit of 32 levels/);
    expect(jsonLimitViolation(`[${'1,'.repeat(1500)}1]`, limits)).toMatch(/more than the limit of 1000 values/);
  });

  it('scans 400,000 nested arrays in far less time than parsing them', () => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) jsonLimitViolation('['.repeat(400_000), limits);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

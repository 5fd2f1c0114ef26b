import { describe, expect, it } from 'vitest';
import { mean, standardDeviation, summarizeRuns, wilson } from './stats.js';

describe('wilson', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])('%i/%i gives [%f, %f]', (k, n, low, high) => {
    const ci = wilson(k, n);
    expect(ci.p).toBeCloseTo(k / n, 10);
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it('covers everything for n = 0 and rejects impossible counts', () => {
    expect(wilson(0, 0)).toEqual({ p: NaN, low: 0, high: 1 });
    expect(() => wilson(5, 4)).toThrow(RangeError);
    expect(() => wilson(-1, 4)).toThrow(RangeError);
  });

  it('narrows as n grows at the same proportion', () => {
    const small = wilson(5, 10);
    const large = wilson(500, 1000);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(small.low).toBeLessThan(0.5);
    expect(small.high).toBeGreaterThan(0.5);
  });
});

describe('mean and standard deviation over runs', () => {
  it('uses the sample standard deviation', () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(standardDeviation([3])).toBe(0);
    expect(Number.isNaN(mean([]))).toBe(true);
    expect(summarizeRuns([0.5, 0.7])).toEqual({ mean: 0.6, sd: expect.closeTo(Math.SQRT2 / 10, 12), n: 2 });
  });
});

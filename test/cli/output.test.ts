import { describe, expect, it } from 'vitest';
import { formatUsd } from '../../src/cli/output.js';

describe('formatUsd', () => {
  it('shows four decimals, and small non-zero amounts with two significant digits instead of $0.0000', () => {
    expect(formatUsd(0)).toBe('$0.0000');
    expect(formatUsd(1.23456)).toBe('$1.2346');
    expect(formatUsd(0.0001)).toBe('$0.0001');
    expect(formatUsd(0.000032)).toBe('$0.000032');
    expect(formatUsd(0.0000316)).toBe('$0.000032');
    expect(formatUsd(3.2e-7)).toBe('$0.00000032');
  });
});

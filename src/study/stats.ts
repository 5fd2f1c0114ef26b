// Small statistics for the study tables: Wilson score intervals for proportions, and the
// mean and standard deviation of a metric over repeated runs.

export interface Interval {
  /** The observed proportion k / n (NaN when n is 0). */
  p: number;
  low: number;
  high: number;
}

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for k successes in n trials. Unlike the normal approximation it stays
 * inside [0, 1] and behaves at k = 0 or k = n, which the study's small cells often hit.
 */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (!Number.isFinite(k) || !Number.isFinite(n) || n < 0 || k < 0 || k > n) {
    throw new RangeError(`wilson: need 0 <= k <= n, got k=${k}, n=${n}`);
  }
  if (n === 0) return { p: NaN, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { p, low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 in the denominator); 0 for a single value, NaN for none. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  if (values.length === 1) return 0;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

export interface RunSummary {
  mean: number;
  sd: number;
  n: number;
}

export function summarizeRuns(values: readonly number[]): RunSummary {
  return { mean: mean(values), sd: standardDeviation(values), n: values.length };
}

/**
 * Percentiles by nearest rank: the p-th percentile of n sorted values is the
 * ⌈p/100 · n⌉-th smallest, always one of the values measured (no interpolation),
 * so a figure can be checked by counting.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Minutes, kept to one decimal so that JSON stays readable. */
export const round1 = (n: number): number => Math.round(n * 10) / 10;

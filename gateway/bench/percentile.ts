/** The p-th percentile (0 to 100) of values already sorted ascending, by the nearest-rank method; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Days until `freeBytes` are used up at `readingsPerSecond`; Infinity while nothing arrives. */
export function daysOfAutonomy(freeBytes: number, bytesPerReading: number, readingsPerSecond: number): number {
  if (readingsPerSecond <= 0 || bytesPerReading <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, freeBytes) / (bytesPerReading * readingsPerSecond) / 86_400;
}

/**
 * The model's input for one reading: the last WINDOW values of its device channel, each
 * expressed in standard deviations from the mean of the CONTEXT values before them,
 * clipped to ±FEATURE_CLIP. A reading is scored once HISTORY = CONTEXT + WINDOW values
 * of its channel are known. Training, evaluation, the reference forward pass
 * and the gateway's scorer all use these functions, so a model sees the same features
 * wherever it runs.
 */
export const WINDOW = 32;
export const CONTEXT = 128;
export const FEATURE_CLIP = 8;
export const HISTORY = CONTEXT + WINDOW;

/**
 * The smallest standard deviation a context is divided by, so a flat stretch does not turn
 * noise in the last digit into huge features: 0.1% of the context's mean magnitude, and
 * never under 1e-6.
 */
export function deviationFloor(mean: number): number {
  return Math.max(1e-6, 1e-3 * Math.abs(mean));
}

/**
 * Writes the WINDOW features of the window ending at `end` (exclusive) of `values` into
 * `out` at `offset`. `values` must hold at least HISTORY values before `end`.
 */
export function writeFeatures(values: ArrayLike<number>, end: number, out: Float32Array, offset: number): void {
  const start = end - HISTORY;
  let sum = 0;
  for (let i = start; i < start + CONTEXT; i++) sum += values[i] ?? 0;
  const mean = sum / CONTEXT;
  let squares = 0;
  for (let i = start; i < start + CONTEXT; i++) {
    const d = (values[i] ?? 0) - mean;
    squares += d * d;
  }
  const deviation = Math.max(Math.sqrt(squares / CONTEXT), deviationFloor(mean));
  for (let i = 0; i < WINDOW; i++) {
    const z = ((values[end - WINDOW + i] ?? 0) - mean) / deviation;
    out[offset + i] = Math.max(-FEATURE_CLIP, Math.min(FEATURE_CLIP, z));
  }
}

/** The last HISTORY values of one device channel, in a ring: the window models' FeatureStream. */
export class StreamWindow {
  private readonly ring = new Float64Array(HISTORY);
  private readonly ordered = new Float64Array(HISTORY);
  private count = 0;

  push(value: number): void {
    this.ring[this.count % HISTORY] = value;
    this.count++;
  }

  /** Whether a full history has been seen, so the newest value can be scored. */
  get ready(): boolean {
    return this.count >= HISTORY;
  }

  get seen(): number {
    return this.count;
  }

  /** Writes the features of the newest value; only when `ready`. */
  write(out: Float32Array, offset: number): void {
    for (let i = 0; i < HISTORY; i++) this.ordered[i] = this.ring[(this.count + i) % HISTORY] ?? 0;
    writeFeatures(this.ordered, HISTORY, out, offset);
  }
}

/** A stored reading's value in its physical unit (value / 10^scale). */
export function physicalValue(value: number, scale: number): number {
  return value / 10 ** scale;
}

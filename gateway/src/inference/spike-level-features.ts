import { deviationFloor } from "./window-features.js";

/**
 * The features of the spike-and-level detector, per device channel:
 * - spike: how many standard deviations the newest value lies from the mean of the
 *   `spikeWindow` values before it (the rolling z-score);
 * - level: how far the mean of the last `levelBlock` values lies from the median of the
 *   means of the last `levelBlocks` complete blocks of `levelBlock` values, in robust
 *   standard deviations of those block means (1.4826 × their median absolute deviation).
 *   It sees level shifts and drifts that build over `levelBlock × levelBlocks` readings,
 *   far beyond the spike window; a spike moves one block mean only, so it barely moves the
 *   median. It is 0 until `minLevelBlocks` blocks are complete.
 * Both divide by at least deviationFloor of their centre, so a flat stretch does not turn
 * noise in the last digit into huge scores.
 */
export interface SpikeLevelSpec {
  kind: "spike-level";
  spikeWindow: number;
  levelBlock: number;
  levelBlocks: number;
  minLevelBlocks: number;
}

export const SPIKE_LEVEL_WIDTH = 2;
const MAD_TO_DEVIATION = 1.4826;

function median(sorted: Float64Array): number {
  const n = sorted.length;
  const middle = n >> 1;
  return n % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** One device channel's recent values and block means; computes its two features. */
export class SpikeLevelFeatures {
  private readonly spec: SpikeLevelSpec;
  /** The newest spikeWindow + 1 values, in a ring. */
  private readonly ring: Float64Array;
  private readonly blocks: Float64Array;
  private blockCount = 0;
  private blockSum = 0;
  private count = 0;
  private levelCentre = 0;
  private levelDeviation = 0;

  constructor(spec: SpikeLevelSpec) {
    this.spec = spec;
    this.ring = new Float64Array(Math.max(spec.spikeWindow, spec.levelBlock) + 1);
    this.blocks = new Float64Array(spec.levelBlocks);
  }

  push(value: number): void {
    this.ring[this.count % this.ring.length] = value;
    this.count++;
    this.blockSum += value;
    if (this.count % this.spec.levelBlock === 0) {
      this.blocks[this.blockCount % this.blocks.length] = this.blockSum / this.spec.levelBlock;
      this.blockCount++;
      this.blockSum = 0;
      this.updateLevel();
    }
  }

  /** Whether the newest value has a full spike window before it, so it can be scored. */
  get ready(): boolean {
    return this.count > this.spec.spikeWindow;
  }

  /** Writes [spike, level] of the newest value into `out` at `offset`; only when `ready`. */
  write(out: Float32Array, offset: number): void {
    out[offset] = this.spike();
    out[offset + 1] = this.level();
  }

  /** The `n` values before the newest `skip` ones, oldest first, summed. */
  private sumBefore(skip: number, n: number): number {
    let sum = 0;
    for (let i = this.count - skip - n; i < this.count - skip; i++) sum += this.ring[i % this.ring.length] ?? 0;
    return sum;
  }

  private spike(): number {
    const n = this.spec.spikeWindow;
    const mean = this.sumBefore(1, n) / n;
    let squares = 0;
    for (let i = this.count - 1 - n; i < this.count - 1; i++) squares += ((this.ring[i % this.ring.length] ?? 0) - mean) ** 2;
    const deviation = Math.max(Math.sqrt(squares / n), deviationFloor(mean));
    return Math.abs((this.ring[(this.count - 1) % this.ring.length] ?? 0) - mean) / deviation;
  }

  private level(): number {
    if (this.blockCount < this.spec.minLevelBlocks) return 0;
    const recent = this.sumBefore(0, this.spec.levelBlock) / this.spec.levelBlock;
    return Math.abs(recent - this.levelCentre) / this.levelDeviation;
  }

  private updateLevel(): void {
    if (this.blockCount < this.spec.minLevelBlocks) return;
    const means = this.blocks.slice(0, Math.min(this.blockCount, this.blocks.length)).sort();
    const centre = median(means);
    const deviations = means.map((m) => Math.abs(m - centre)).sort();
    this.levelCentre = centre;
    this.levelDeviation = Math.max(MAD_TO_DEVIATION * median(deviations), deviationFloor(centre));
  }
}

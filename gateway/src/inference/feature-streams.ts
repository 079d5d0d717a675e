import type { FeatureSpec } from "./model-manifest.js";
import { SPIKE_LEVEL_WIDTH, SpikeLevelFeatures } from "./spike-level-features.js";
import { StreamWindow } from "./window-features.js";

/** One device channel's recent values, turned into a model's input row. */
export interface FeatureStream {
  push(value: number): void;
  /** Whether the newest value can be scored. */
  readonly ready: boolean;
  /** Writes the newest value's features into `out` at `offset`; only when `ready`. */
  write(out: Float32Array, offset: number): void;
}

/** Features per input row. */
export function featureWidth(spec: FeatureSpec): number {
  return spec.kind === "spike-level" ? SPIKE_LEVEL_WIDTH : spec.window;
}

export function createFeatureStream(spec: FeatureSpec): FeatureStream {
  return spec.kind === "spike-level" ? new SpikeLevelFeatures(spec) : new StreamWindow();
}

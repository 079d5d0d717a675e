import type { WindowModel } from "../src/inference/window-model.js";
import { trainDense } from "./dense-training.js";

export interface WindowModelTraining {
  objective: WindowModel["objective"];
  /** Widths of the hidden layers. */
  hidden: readonly number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** Trains a window model on windows of `window` features laid out one after the other. */
export function trainWindowModel(
  windows: Float32Array,
  window: number,
  options: WindowModelTraining,
): { model: WindowModel; losses: number[] } {
  const count = windows.length / window;
  let inputs = windows;
  let targets = windows;
  let widths = [window, ...options.hidden, window];
  if (options.objective === "forecast") {
    inputs = new Float32Array(count * (window - 1));
    targets = new Float32Array(count);
    for (let n = 0; n < count; n++) {
      inputs.set(windows.subarray(n * window, (n + 1) * window - 1), n * (window - 1));
      targets[n] = windows[(n + 1) * window - 1] ?? 0;
    }
    widths = [window - 1, ...options.hidden, 1];
  }
  const { layers, losses } = trainDense(inputs, targets, { ...options, widths });
  return { model: { objective: options.objective, window, layers }, losses };
}

import { forwardLayer, type Activation, type DenseLayer } from "../src/inference/window-model.js";
import { seededRandom } from "@intelledger/test-support";

export interface TrainingOptions {
  /** Layer widths from input to reconstruction, e.g. [32, 16, 4, 16, 32]. */
  widths: readonly number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

interface Moments {
  weight: Float64Array;
  bias: Float64Array;
  mWeight: Float64Array;
  vWeight: Float64Array;
  mBias: Float64Array;
  vBias: Float64Array;
}

/**
 * Trains a dense network (tanh hidden layers, linear output) to map each input row to its
 * target row, minimising mean squared error with Adam. Deterministic for a given seed and
 * data. Returns the layers (float32 weights) and the loss of each epoch.
 */
export function trainDense(
  inputs: Float32Array,
  targets: Float32Array,
  options: TrainingOptions,
): { layers: DenseLayer[]; losses: number[] } {
  const random = seededRandom(options.seed);
  const width = options.widths[0] ?? 0;
  const targetWidth = options.widths.at(-1) ?? 0;
  const count = inputs.length / width;
  const layers: (Moments & { inputs: number; outputs: number; activation: Activation })[] = [];
  for (let l = 0; l + 1 < options.widths.length; l++) {
    const inputs = options.widths[l] ?? 0;
    const outputs = options.widths[l + 1] ?? 0;
    const limit = Math.sqrt(6 / (inputs + outputs));
    const weight = new Float64Array(inputs * outputs).map(() => (random() * 2 - 1) * limit);
    layers.push({
      inputs,
      outputs,
      activation: l + 2 === options.widths.length ? "linear" : "tanh",
      weight,
      bias: new Float64Array(outputs),
      mWeight: new Float64Array(inputs * outputs),
      vWeight: new Float64Array(inputs * outputs),
      mBias: new Float64Array(outputs),
      vBias: new Float64Array(outputs),
    });
  }
  const gradWeights = layers.map((layer) => new Float64Array(layer.weight.length));
  const gradBiases = layers.map((layer) => new Float64Array(layer.bias.length));
  const order = Array.from({ length: count }, (_, i) => i);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const losses: number[] = [];

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    let epochLoss = 0;
    for (let start = 0; start < count; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      for (const g of gradWeights) g.fill(0);
      for (const g of gradBiases) g.fill(0);
      for (const index of batch) {
        const input = inputs.subarray(index * width, (index + 1) * width);
        const target = targets.subarray(index * targetWidth, (index + 1) * targetWidth);
        const outputs: Float64Array[] = [];
        let activation: ArrayLike<number> = input;
        for (const layer of layers) {
          activation = forwardLayer(layer, activation);
          outputs.push(activation as Float64Array);
        }
        const prediction = outputs.at(-1) ?? new Float64Array(targetWidth);
        let delta = new Float64Array(targetWidth);
        for (let k = 0; k < targetWidth; k++) {
          const d = (prediction[k] ?? 0) - (target[k] ?? 0);
          epochLoss += (d * d) / targetWidth;
          delta[k] = (2 * d) / targetWidth / batch.length;
        }
        for (let l = layers.length - 1; l >= 0; l--) {
          const layer = layers[l];
          const out = outputs[l];
          const gw = gradWeights[l];
          const gb = gradBiases[l];
          if (!layer || !out || !gw || !gb) continue;
          if (layer.activation === "tanh")
            for (let o = 0; o < layer.outputs; o++) delta[o] = (delta[o] ?? 0) * (1 - (out[o] ?? 0) ** 2);
          const previous: ArrayLike<number> = l === 0 ? input : (outputs[l - 1] ?? input);
          const next = new Float64Array(layer.inputs);
          for (let o = 0; o < layer.outputs; o++) {
            const d = delta[o] ?? 0;
            gb[o] = (gb[o] ?? 0) + d;
            const row = o * layer.inputs;
            for (let k = 0; k < layer.inputs; k++) {
              gw[row + k] = (gw[row + k] ?? 0) + d * (previous[k] ?? 0);
              next[k] = (next[k] ?? 0) + d * (layer.weight[row + k] ?? 0);
            }
          }
          delta = next;
        }
      }
      step++;
      const correction1 = 1 - beta1 ** step;
      const correction2 = 1 - beta2 ** step;
      layers.forEach((layer, l) => {
        const update = (params: Float64Array, grads: Float64Array, m: Float64Array, v: Float64Array) => {
          for (let k = 0; k < params.length; k++) {
            const g = grads[k] ?? 0;
            m[k] = beta1 * (m[k] ?? 0) + (1 - beta1) * g;
            v[k] = beta2 * (v[k] ?? 0) + (1 - beta2) * g * g;
            params[k] =
              (params[k] ?? 0) -
              (options.learningRate * ((m[k] ?? 0) / correction1)) / (Math.sqrt((v[k] ?? 0) / correction2) + 1e-8);
          }
        };
        update(layer.weight, gradWeights[l] ?? new Float64Array(0), layer.mWeight, layer.vWeight);
        update(layer.bias, gradBiases[l] ?? new Float64Array(0), layer.mBias, layer.vBias);
      });
    }
    losses.push(epochLoss / count);
  }
  return {
    layers: layers.map((layer) => ({
      inputs: layer.inputs,
      outputs: layer.outputs,
      activation: layer.activation,
      weight: Float32Array.from(layer.weight),
      bias: Float32Array.from(layer.bias),
    })),
    losses,
  };
}

import type { WindowModel } from "../src/inference/window-model.js";
import { encodeOnnxModel, type OnnxNode, type OnnxTensor } from "./onnx-writer.js";

/** The tensor names every anomaly model of the gateway uses: windows in, one score per window out. */
export const INPUT_NAME = "window";
export const OUTPUT_NAME = "score";
const PRODUCER = { name: "intelledger-gateway-training", version: "1" };

/**
 * A window model as ONNX: Gemm (+Tanh) per layer over the window (forecast: all but its
 * last feature, by Slice), then the root mean squared error against the window (Sub, Mul,
 * ReduceMean over the window axis, Sqrt).
 */
export function windowModelOnnx(model: WindowModel, docString: string): Uint8Array {
  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  let current = INPUT_NAME;
  let target = INPUT_NAME;
  if (model.objective === "forecast") {
    initializers.push(
      { name: "axis", dims: [1], data: [1n] },
      { name: "head_start", dims: [1], data: [0n] },
      { name: "head_end", dims: [1], data: [BigInt(model.window - 1)] },
      { name: "tail_end", dims: [1], data: [BigInt(model.window)] },
    );
    nodes.push({ op: "Slice", inputs: [INPUT_NAME, "head_start", "head_end", "axis"], outputs: ["head"] });
    nodes.push({ op: "Slice", inputs: [INPUT_NAME, "head_end", "tail_end", "axis"], outputs: ["tail"] });
    current = "head";
    target = "tail";
  }
  model.layers.forEach((layer, i) => {
    initializers.push({ name: `layer${i}.weight`, dims: [layer.outputs, layer.inputs], data: layer.weight });
    initializers.push({ name: `layer${i}.bias`, dims: [layer.outputs], data: layer.bias });
    const linear = `layer${i}.linear`;
    nodes.push({
      op: "Gemm",
      inputs: [current, `layer${i}.weight`, `layer${i}.bias`],
      outputs: [linear],
      attributes: { transB: 1 },
    });
    current = linear;
    if (layer.activation === "tanh") {
      nodes.push({ op: "Tanh", inputs: [linear], outputs: [`layer${i}.out`] });
      current = `layer${i}.out`;
    }
  });
  nodes.push({ op: "Sub", inputs: [target, current], outputs: ["residual"] });
  nodes.push({ op: "Mul", inputs: ["residual", "residual"], outputs: ["squared"] });
  nodes.push({ op: "ReduceMean", inputs: ["squared"], outputs: ["mean_squared"], attributes: { axes: [1], keepdims: 0 } });
  nodes.push({ op: "Sqrt", inputs: ["mean_squared"], outputs: [OUTPUT_NAME] });
  return encodeOnnxModel(
    {
      name: `window_${model.objective}`,
      inputs: [{ name: INPUT_NAME, shape: ["batch", model.window] }],
      outputs: [{ name: OUTPUT_NAME, shape: ["batch"] }],
      initializers,
      nodes,
      metadata: { objective: model.objective, activations: model.layers.map((layer) => layer.activation).join(",") },
      docString,
    },
    PRODUCER,
  );
}

/** The spike-level detector's input tensor: one row of features per reading. */
export const FEATURES_INPUT_NAME = "features";

/**
 * An ensemble of weighted scores as ONNX: the score of a row of features is the largest of
 * weight_i × feature_i (Mul, ReduceMax over the feature axis).
 */
export function weightedMaxOnnx(
  weights: readonly number[],
  metadata: Readonly<Record<string, string>>,
  docString: string,
): Uint8Array {
  return encodeOnnxModel(
    {
      name: "weighted_max",
      inputs: [{ name: FEATURES_INPUT_NAME, shape: ["batch", weights.length] }],
      outputs: [{ name: OUTPUT_NAME, shape: ["batch"] }],
      initializers: [{ name: "weights", dims: [weights.length], data: Float32Array.from(weights) }],
      nodes: [
        { op: "Mul", inputs: [FEATURES_INPUT_NAME, "weights"], outputs: ["weighted"] },
        { op: "ReduceMax", inputs: ["weighted"], outputs: [OUTPUT_NAME], attributes: { axes: [1], keepdims: 0 } },
      ],
      metadata,
      docString,
    },
    PRODUCER,
  );
}

/**
 * A model with the same contract that does no work: the score of a window is its last
 * feature (Gather). Benchmarks measure the per-call cost of ONNX Runtime with it.
 */
export function identityOnnx(width: number): Uint8Array {
  return encodeOnnxModel(
    {
      name: "identity",
      inputs: [{ name: INPUT_NAME, shape: ["batch", width] }],
      outputs: [{ name: OUTPUT_NAME, shape: ["batch"] }],
      initializers: [{ name: "last", dims: [], data: [BigInt(width - 1)] }],
      nodes: [{ op: "Gather", inputs: [INPUT_NAME, "last"], outputs: [OUTPUT_NAME], attributes: { axis: 1 } }],
      docString: "Identity baseline: the score is the window's last feature.",
    },
    PRODUCER,
  );
}

import { InferenceSession, Tensor } from "onnxruntime-node";
import { OUTPUT_NAME } from "./model-graphs.js";

export type ScoreWindows = (features: Float32Array, count: number) => Promise<Float32Array>;

/** Scores rows of `width` features with an ONNX model through ONNX Runtime, on one thread as the gateway does. */
export async function onnxScorer(
  onnx: Uint8Array,
  width: number,
): Promise<{ score: ScoreWindows; release: () => Promise<void> }> {
  const session = await InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const [input] = session.inputNames;
  if (input === undefined) throw new Error("the model has no input");
  return {
    score: async (features, count) => {
      const output = await session.run({ [input]: new Tensor("float32", features.subarray(0, count * width), [count, width]) });
      return output[OUTPUT_NAME]?.data as Float32Array;
    },
    release: () => session.release(),
  };
}

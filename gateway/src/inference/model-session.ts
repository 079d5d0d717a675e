import { InferenceSession, Tensor } from "onnxruntime-node";
import { InferenceError } from "./inference-errors.js";
import type { ModelFiles } from "./model-folder.js";
import type { ModelManifest } from "./model-manifest.js";

/** Batch sizes run once before a model takes traffic, so the first real batch pays no set-up. */
const WARM_UP_BATCHES = [1, 64, 256];

/**
 * One loaded model: an ONNX Runtime session whose input and output were checked against the
 * manifest, and which has been warmed up. `score` takes `count` feature windows back to back.
 */
export class ModelSession {
  readonly manifest: ModelManifest;
  /** `<name>@<version>`, recorded with every reading it scores. */
  readonly version: string;
  private readonly session: InferenceSession;

  private constructor(manifest: ModelManifest, session: InferenceSession) {
    this.manifest = manifest;
    this.version = `${manifest.name}@${manifest.version}`;
    this.session = session;
  }

  static async open(files: ModelFiles, options: { threads?: number } = {}): Promise<ModelSession> {
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(files.bytes, {
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (error) {
      throw new InferenceError("ONNX Runtime cannot load the model", { folder: files.folder }, { cause: error });
    }
    const model = new ModelSession(files.manifest, session);
    try {
      model.checkShapes();
      await model.warmUp();
    } catch (error) {
      await session.release();
      throw error;
    }
    return model;
  }

  /** The graph's one input and one output must be float32 tensors of the manifest's names and shapes. */
  private checkShapes(): void {
    const { input, output } = this.manifest;
    const [graphInput, ...moreInputs] = this.session.inputMetadata;
    const [graphOutput, ...moreOutputs] = this.session.outputMetadata;
    const describe = (meta: InferenceSession.ValueMetadata | undefined) =>
      meta?.isTensor
        ? { name: meta.name, type: meta.type, shape: meta.shape.map((d) => (typeof d === "number" ? d : "batch")) }
        : meta;
    const matches = (
      meta: InferenceSession.ValueMetadata | undefined,
      expected: { name: string; shape: readonly (string | number)[] },
    ) =>
      meta?.isTensor === true &&
      meta.name === expected.name &&
      meta.type === "float32" &&
      meta.shape.length === expected.shape.length &&
      meta.shape.every((dim, i) => (typeof expected.shape[i] === "number" ? dim === expected.shape[i] : typeof dim === "string"));
    if (moreInputs.length > 0 || moreOutputs.length > 0 || !matches(graphInput, input) || !matches(graphOutput, output)) {
      throw new InferenceError("the model's tensors do not match its manifest", {
        expected: { input, output },
        inputs: this.session.inputMetadata.map(describe),
        outputs: this.session.outputMetadata.map(describe),
      });
    }
  }

  private async warmUp(): Promise<void> {
    const width = this.manifest.input.shape[1];
    for (const count of WARM_UP_BATCHES) {
      const scores = await this.score(new Float32Array(count * width), count);
      if (!scores.every(Number.isFinite)) throw new InferenceError("the model gives non-finite scores on warm-up", { count });
    }
  }

  async score(features: Float32Array, count: number): Promise<Float32Array> {
    const width = this.manifest.input.shape[1];
    const input = new Tensor("float32", features.subarray(0, count * width), [count, width]);
    const result = await this.session.run({ [this.manifest.input.name]: input });
    const output = result[this.manifest.output.name];
    if (!output || output.type !== "float32" || output.dims.length !== 1 || output.dims[0] !== count) {
      throw new InferenceError("the model returned scores of the wrong shape", { count, dims: output?.dims });
    }
    return output.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

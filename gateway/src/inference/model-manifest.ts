import { z } from "zod";

/**
 * manifest.json, next to model.onnx in a model's version folder. The gateway refuses a
 * model whose file does not hash to `sha256`, whose tensors do not have the declared
 * names and shapes, or whose features differ from the ones it computes.
 */
export const modelManifestSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.number().int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  description: z.string().default(""),
  input: z.object({ name: z.string().min(1), shape: z.tuple([z.literal("batch"), z.number().int().min(1)]) }),
  output: z.object({ name: z.string().min(1), shape: z.tuple([z.literal("batch")]) }),
  features: z.object({ window: z.number().int().min(1), context: z.number().int().min(1), clip: z.number().positive() }),
  /** Scores above this flag a reading, unless the configuration overrides it for its device or channel. */
  threshold: z.number().positive(),
  training: z.record(z.string(), z.unknown()).default({}),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;

import { z } from "zod";
import { calibrationSchema } from "./threshold-calibration.js";

/** The dense window models' features (window-features.ts); manifests written before `kind` existed mean these. */
const windowFeaturesSchema = z.object({
  kind: z.literal("window").default("window"),
  window: z.number().int().min(1),
  context: z.number().int().min(1),
  clip: z.number().positive(),
});

/** The spike-and-level detector's features (spike-level-features.ts). */
const spikeLevelFeaturesSchema = z
  .object({
    kind: z.literal("spike-level"),
    spikeWindow: z.number().int().min(2).max(100_000),
    levelBlock: z.number().int().min(1).max(100_000),
    levelBlocks: z.number().int().min(1).max(10_000),
    minLevelBlocks: z.number().int().min(1),
  })
  .refine((f) => f.minLevelBlocks <= f.levelBlocks, {
    message: "minLevelBlocks must not exceed levelBlocks",
    path: ["minLevelBlocks"],
  });

/**
 * manifest.json, next to model.onnx in a model's version folder. The gateway refuses a
 * model whose file does not hash to `sha256`, whose tensors do not have the declared
 * names and shapes, or whose features it does not compute.
 */
export const modelManifestSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.number().int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  description: z.string().default(""),
  input: z.object({ name: z.string().min(1), shape: z.tuple([z.literal("batch"), z.number().int().min(1)]) }),
  output: z.object({ name: z.string().min(1), shape: z.tuple([z.literal("batch")]) }),
  features: z.union([spikeLevelFeaturesSchema, windowFeaturesSchema]),
  /**
   * Scores above this flag a reading, unless the configuration overrides it for its device
   * or channel; with a calibration, only until the channel has learned its own.
   */
  threshold: z.number().positive(),
  /** How each channel learns its own threshold; without it the threshold stays fixed. */
  calibration: calibrationSchema.optional(),
  training: z.record(z.string(), z.unknown()).default({}),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type FeatureSpec = ModelManifest["features"];

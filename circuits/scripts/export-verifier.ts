// Regenerates contracts/contracts/BatchProofVerifier.sol from the committed proving key, without
// rebuilding the circuit, and pins the result in the manifest: for a change of the verifier's
// template (circuits/scripts/batch-verifier-source.ts), not of the circuit or its keys.
//
//   tsx scripts/export-verifier.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACT_FILES, artifactsDir, loadBatchArtifacts } from "../src/artifacts.js";
import { batchVerifierSource, writeVerifier } from "./artifact-writer.js";

const { zkey, manifest } = loadBatchArtifacts();
const verifier = writeVerifier(await batchVerifierSource(zkey));
writeFileSync(
  join(artifactsDir, ARTIFACT_FILES.manifest),
  `${JSON.stringify({ ...manifest, sha256: { ...manifest.sha256, verifier } }, null, 2)}\n`,
);
await (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128?.terminate();
process.stdout.write(`wrote contracts/contracts/BatchProofVerifier.sol (sha256 ${verifier})\n`);

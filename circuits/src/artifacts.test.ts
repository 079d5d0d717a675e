import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, describe, expect, it } from "vitest";
import { ARTIFACT_FILES, artifactsDir, circuitsPackageRoot, loadBatchArtifacts, readManifest, sha256Hex } from "./artifacts.js";
import { PUBLIC_SIGNALS } from "./batch-layout.js";
import { releaseSnarkThreads } from "./batch-verifier.js";
import { batchVerifierSource } from "../scripts/artifact-writer.js";

const manifest = readManifest();

describe("batch circuit artifacts", () => {
  afterAll(async () => {
    await releaseSnarkThreads();
  });

  it("are what the circuit source compiles to (R1CS and witness generator)", () => {
    // Compiles with circom2; the proving key is pinned instead, since remaking it needs the ceremony.
    execFileSync(process.execPath, ["--import", "tsx", "scripts/build-artifacts.ts", "--check"], {
      cwd: circuitsPackageRoot,
      stdio: "pipe",
    });
    // About 9 s on an idle machine; minutes when the machine is busy.
  }, 600_000);

  it("load only when every file matches its pinned hash", () => {
    const artifacts = loadBatchArtifacts();
    expect(artifacts.vkey.nPublic).toBe(PUBLIC_SIGNALS.length);
    expect(manifest.publicSignals).toEqual([...PUBLIC_SIGNALS]);
    expect(sha256Hex(readFileSync(join(artifactsDir, ARTIFACT_FILES.vkey)))).toBe(manifest.sha256.vkey);
  });

  it("carry the verification key and the Solidity verifier of the committed proving key", async () => {
    const { zkey, vkey } = loadBatchArtifacts();
    expect(await snarkjs.zKey.exportVerificationKey(zkey)).toEqual(vkey);
    const verifier = readFileSync(join(circuitsPackageRoot, "../contracts/contracts/BatchProofVerifier.sol"));
    expect(sha256Hex(verifier), "contracts/contracts/BatchProofVerifier.sol is stale: rebuild the circuit artifacts").toBe(
      manifest.sha256.verifier,
    );
    const [, delta] = /uint256 constant deltax1 = (\d+);/.exec(verifier.toString()) ?? [];
    expect((vkey["vk_delta_2"] as string[][])[0]?.[1]).toBe(delta);
    expect(verifier.toString(), "BatchProofVerifier.sol is not what scripts/export-verifier.ts generates").toBe(
      await batchVerifierSource(zkey),
    );
  });

  it("stay small enough to commit", () => {
    for (const file of Object.values(ARTIFACT_FILES)) {
      expect(readFileSync(join(artifactsDir, file)).length, file).toBeLessThan(5 * 1024 * 1024);
    }
  });
});

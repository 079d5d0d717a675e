import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contractsPackageRoot } from "./hardhat-cli.js";

const committed = join(contractsPackageRoot, "src/generated");

describe("generated artifacts", () => {
  const scratch = mkdtempSync(join(tmpdir(), "contracts-gen-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("are exactly what scripts/export-artifacts.ts produces from the .sol sources", () => {
    // Compiles with Hardhat; the bytecode embeds a hash of the sources, so any edit shows up.
    execFileSync(process.execPath, ["--import", "tsx", "scripts/export-artifacts.ts", scratch], {
      cwd: contractsPackageRoot,
      stdio: "pipe",
    });
    const files = readdirSync(committed).sort();
    expect(readdirSync(scratch).sort()).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(scratch, file), "utf8"), `${file} is stale: run npm run generate -w contracts`).toBe(
        readFileSync(join(committed, file), "utf8"),
      );
    }
  });
});

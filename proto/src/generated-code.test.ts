import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const packageRoot = join(import.meta.dirname, "..");
const committed = join(packageRoot, "src/gen");

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe("generated TypeScript", () => {
  const scratch = mkdtempSync(join(tmpdir(), "proto-gen-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("is exactly what scripts/generate.sh produces from the .proto files", () => {
    execFileSync("bash", ["scripts/generate.sh", scratch], { cwd: packageRoot, stdio: "pipe" });
    const files = listFiles(committed);
    expect(listFiles(scratch)).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(scratch, file), "utf8"), `${file} is stale: run npm run generate -w proto`).toBe(
        readFileSync(join(committed, file), "utf8"),
      );
    }
  });
});

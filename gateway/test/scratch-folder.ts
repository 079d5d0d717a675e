import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

/**
 * An empty temporary folder for the tests of the calling file (or describe block), removed
 * after them: a fresh one for each test, or one that all of them share. The function returned
 * gives its path while the tests and their hooks run.
 */
export function scratchFolder(prefix: string, lifetime: "each test" | "all tests"): () => string {
  const [create, remove] = lifetime === "each test" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  let path: string | undefined;
  create(() => {
    path = mkdtempSync(join(tmpdir(), prefix));
  });
  remove(() => {
    if (path !== undefined) rmSync(path, { recursive: true, force: true });
    path = undefined;
  });
  return () => {
    if (path === undefined) throw new Error(`the ${prefix} folder exists only while its tests run`);
    return path;
  };
}

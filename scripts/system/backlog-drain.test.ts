import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDrain } from "./drain-run.js";

/** Readings in the backlog; the acceptance bar is 10 million. */
const READINGS = Number(process.env.EDGE_DRAIN_READINGS ?? 200_000);
const MB = 1024 * 1024;

describe(`a backlog of ${READINGS} readings after an outage`, () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-drain-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "drains completely while both processes stay within bounded memory",
    async () => {
      const result = await runDrain(dir, READINGS, 1_024);
      console.log(
        `drained ${result.readings} readings in ${result.seconds.toFixed(1)} s (${Math.round(result.readingsPerSecond)} readings/s); ` +
          `peak RSS gateway ${(result.peakRssBytes.gateway / MB).toFixed(0)} MB, relay ${(result.peakRssBytes.relay / MB).toFixed(0)} MB`,
      );
      expect(result.readings).toBe(READINGS);
      // Bounded: memory does not grow with the backlog (the whole backlog alone would be far larger at full scale),
      // and a relay replica stays under the 256 MiB its alert allows (docs/relay-operations.md).
      expect(result.peakRssBytes.gateway).toBeLessThan(640 * MB);
      expect(result.peakRssBytes.relay).toBeLessThan(256 * MB);
    },
    4 * 3_600_000,
  );
});

import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { RefusalLog } from "./refusal-log.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, logger: pino({ level: "info" }, stream) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("RefusalLog", () => {
  it("logs a source and reason once per interval, then says how many were left out", async () => {
    const { lines, logger } = capture();
    const clock = { now: 0 };
    const log = new RefusalLog({ logger, intervalMs: 60_000, now: () => clock.now });
    for (let i = 0; i < 100; i++) log.note("replayed", "press-1", { detail: `#${i}` }, "frame refused");
    log.note("replayed", "press-2", {}, "frame refused");
    log.note("malformed", "press-1", {}, "frame refused");
    clock.now = 60_000;
    log.note("replayed", "press-1", { detail: "#100" }, "frame refused");
    await flush();
    expect(lines.map((line) => [line["reason"], line["detail"], line["leftOutSinceLastLine"]])).toEqual([
      ["replayed", "#0", undefined],
      ["replayed", undefined, undefined],
      ["malformed", undefined, undefined],
      ["replayed", "#100", 99],
    ]);
  });

  it("stays bounded under a flood of new sources: beyond its limit they share one line per reason", async () => {
    const { lines, logger } = capture();
    const log = new RefusalLog({ logger, intervalMs: 60_000, maxSources: 10, now: () => 0 });
    for (let i = 0; i < 10_000; i++) log.note("bad_credentials", `guess-${i}`, {}, "MQTT client refused");
    await flush();
    expect(lines).toHaveLength(11);
  });
});

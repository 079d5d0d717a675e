import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { Lifecycle, PartStopError, startService } from "./lifecycle.js";

const logger = pino({ level: "silent" });

/** Starts a part that is its own name, and writes that name into `stopped` when it stops. */
function startNamed(parts: Lifecycle, name: string, stopped: string[]): Promise<string> {
  return parts.start(
    name,
    () => name,
    (part) => void stopped.push(part),
  );
}

describe("Lifecycle", () => {
  it("stops parts in the reverse of the order they started", async () => {
    const events: string[] = [];
    const parts = new Lifecycle(logger);
    for (const name of ["database", "ingest", "http"]) {
      await parts.start(
        name,
        () => events.push(`start ${name}`),
        () => void events.push(`stop ${name}`),
      );
    }
    parts.onStop("timer", () => void events.push("stop timer"));
    await parts.stop();
    expect(events).toEqual([
      "start database",
      "start ingest",
      "start http",
      "stop timer",
      "stop http",
      "stop ingest",
      "stop database",
    ]);
  });

  it("stops every part when one fails to stop, then throws that failure", async () => {
    const stopped: string[] = [];
    const parts = new Lifecycle(logger);
    await startNamed(parts, "first", stopped);
    await parts.start(
      "broken",
      () => "broken",
      () => Promise.reject(new Error("port stuck")),
    );
    await startNamed(parts, "last", stopped);
    const failure = await parts.stop().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PartStopError);
    expect((failure as PartStopError).message).toBe("broken did not stop cleanly");
    expect(((failure as PartStopError).cause as Error).message).toBe("port stuck");
    expect(stopped).toEqual(["last", "first"]);
  });

  it("stops nothing twice", async () => {
    let stops = 0;
    const parts = new Lifecycle(logger);
    parts.onStop("counted", () => void stops++);
    await parts.stop();
    await parts.stop();
    expect(stops).toBe(1);
  });
});

describe("startService", () => {
  it("undoes what started when a later part fails, and rethrows the failure", async () => {
    const stopped: string[] = [];
    const failure = new Error("http port in use");
    await expect(
      startService(logger, async (parts) => {
        await startNamed(parts, "database", stopped);
        await startNamed(parts, "broker", stopped);
        await parts.start(
          "http",
          () => Promise.reject(failure),
          () => void stopped.push("http"),
        );
        return "never";
      }),
    ).rejects.toBe(failure);
    expect(stopped).toEqual(["broker", "database"]);
  });

  it("returns what the build made, with its parts still running", async () => {
    const stopped: string[] = [];
    const service = await startService(logger, async (parts) => {
      await startNamed(parts, "database", stopped);
      return { stop: () => parts.stop() };
    });
    expect(stopped).toEqual([]);
    await service.stop();
    expect(stopped).toEqual(["database"]);
  });
});

describe("restartable parts", () => {
  it("restart in place with the settings current then, and still stop in start order", async () => {
    const events: string[] = [];
    let setting = "a";
    const parts = new Lifecycle(logger);
    await parts.start(
      "database",
      () => events.push("start database"),
      () => void events.push("stop database"),
    );
    const uplink = await parts.startRestartable(
      "uplink",
      () => {
        events.push(`start uplink ${setting}`);
        return setting;
      },
      (running) => void events.push(`stop uplink ${running}`),
    );
    await parts.start(
      "http",
      () => events.push("start http"),
      () => void events.push("stop http"),
    );
    setting = "b";
    expect(await uplink.restart()).toBe("b");
    expect(uplink.current).toBe("b");
    await parts.stop();
    expect(events).toEqual([
      "start database",
      "start uplink a",
      "start http",
      "stop uplink a",
      "start uplink b",
      "stop http",
      "stop uplink b",
      "stop database",
    ]);
  });

  it("stay stopped when starting again fails, and are not stopped twice", async () => {
    let stops = 0;
    let fail = false;
    const parts = new Lifecycle(logger);
    const part = await parts.startRestartable(
      "uplink",
      () => {
        if (fail) throw new Error("bad address");
        return "up";
      },
      () => void stops++,
    );
    fail = true;
    await expect(part.restart()).rejects.toThrow("bad address");
    expect(part.current).toBeUndefined();
    await parts.stop();
    expect(stops).toBe(1);
  });
});

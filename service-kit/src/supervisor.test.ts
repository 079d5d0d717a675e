import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { Supervisor, type RestartPolicy, type SupervisedStatus, type SupervisorOptions } from "./supervisor.js";

const logger = pino({ level: "silent" });
const quick: Partial<RestartPolicy> = { initialDelayMs: 20, maxDelayMs: 80, maxAttempts: 3, degradedRetryMs: undefined };

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A part that counts its starts and stops and can be told to fail. */
class Part {
  stopped = false;
  constructor(readonly fail: (error: unknown) => void) {}
}

/** A supervisor of Parts that keeps each part it starts in `parts`; `options` add to or replace its own. */
function supervisorOfParts(name: string, options: Partial<SupervisorOptions<Part>> = {}) {
  const parts: Part[] = [];
  const supervisor = new Supervisor<Part>({
    name,
    start: (failed) => {
      const part = new Part(failed);
      parts.push(part);
      return part;
    },
    stop: (part) => {
      part.stopped = true;
    },
    policy: quick,
    logger,
    ...options,
  });
  return { supervisor, parts };
}

describe("a supervised part", () => {
  it("is restarted after it fails, with delays that double, and runs again", async () => {
    const changes: SupervisedStatus[] = [];
    const { supervisor, parts } = supervisorOfParts("transport", { onChange: (status) => changes.push(status) });
    await supervisor.start();
    expect(supervisor.status().current.state).toBe("running");

    parts[0]?.fail(new Error("the adapter went away"));
    await until(() => parts.length === 2 && supervisor.status().current.state === "running", "the restart");
    expect(parts[0]?.stopped).toBe(true);
    expect(supervisor.current).toBe(parts[1]);
    expect(supervisor.status().restarts).toBe(1);
    expect(changes.map((status) => status.current.state)).toEqual(["running", "restarting", "starting", "running"]);
    expect(changes[1]?.current).toMatchObject({ attempt: 1, reason: "the adapter went away" });

    // A failure reported by the part that was replaced changes nothing.
    parts[0]?.fail(new Error("late"));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(parts).toHaveLength(2);
    await supervisor.stop();
    expect(parts[1]?.stopped).toBe(true);
    expect(supervisor.status().current.state).toBe("stopped");
  });

  it("is left degraded with the reason after failing to start again maxAttempts times in a row", async () => {
    let starts = 0;
    const retryTimes: number[] = [];
    const supervisor = new Supervisor<Part>({
      name: "node-red",
      start: (failed) => {
        starts++;
        retryTimes.push(Date.now());
        if (starts > 1) throw new Error("listen EADDRINUSE 127.0.0.1:1880");
        return new Part(failed);
      },
      stop: () => undefined,
      policy: quick,
      logger,
    });
    await supervisor.start();
    supervisor.current?.fail(new Error("crashed"));
    await until(() => supervisor.status().current.state === "degraded", "degraded");
    expect(supervisor.status().current).toEqual({
      state: "degraded",
      attempts: 3,
      reason: "listen EADDRINUSE 127.0.0.1:1880",
      retryAtMs: undefined,
    });
    expect(supervisor.current).toBeUndefined();
    // One failure, then three failed restarts after 20, 40 and 80 ms (generous: the machine is loaded).
    expect(starts).toBe(4);
    const gaps = retryTimes.slice(1).map((time, i) => time - (retryTimes[i] ?? 0));
    expect(gaps[1]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(70);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(starts).toBe(4);
    await supervisor.stop();
  });

  it("is tried again while degraded when it has a retry interval, and runs once its cause is gone", async () => {
    let broken = true;
    const supervisor = new Supervisor<Part>({
      name: "uplink",
      start: (failed) => {
        if (broken) throw new Error("the relay does not answer");
        return new Part(failed);
      },
      stop: () => undefined,
      policy: { ...quick, maxAttempts: 1, degradedRetryMs: 50 },
      logger,
    });
    await supervisor.startSupervised();
    await until(() => supervisor.status().current.state === "degraded", "degraded");
    broken = false;
    await until(() => supervisor.status().current.state === "running", "running again");
    await supervisor.stop();
  });

  it("is restarted when its probe finds it wedged", async () => {
    let wedged = true;
    const { supervisor, parts } = supervisorOfParts("uplink", {
      probe: () => (wedged && parts.length === 1 ? "the relay has not answered for 30 s" : undefined),
      policy: { ...quick, probeIntervalMs: 10 },
    });
    await supervisor.start();
    await until(() => parts.length === 2, "a restart");
    wedged = false;
    expect(parts[0]?.stopped).toBe(true);
    expect(supervisor.status().restarts).toBe(1);
    await supervisor.stop();
  });

  it("throws a failed first start or restart, and says it is off when its configuration leaves it out", async () => {
    const failing = new Supervisor<Part>({
      name: "inference",
      start: () => {
        throw new Error("the models folder is missing");
      },
      stop: () => undefined,
      policy: quick,
      logger,
    });
    await expect(failing.start()).rejects.toThrow("the models folder is missing");
    expect(failing.status().current).toMatchObject({ state: "degraded", reason: "the models folder is missing" });

    let enabled = false;
    const optional = new Supervisor<Part>({
      name: "prover",
      start: (failed) => (enabled ? new Part(failed) : undefined),
      stop: () => undefined,
      policy: quick,
      logger,
    });
    await optional.start();
    expect(optional.status().current.state).toBe("off");
    enabled = true;
    await optional.restart();
    expect(optional.status().current.state).toBe("running");
    await optional.stop();
  });
});

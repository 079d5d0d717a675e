import { describe, expect, it } from "vitest";
import { DeviceAdmission } from "./device-admission.js";

function admission() {
  const clock = { now: 0 };
  const subject = new DeviceAdmission({
    framesPerSecond: 2,
    burst: 3,
    maxFailures: 3,
    failureWindowMs: 1_000,
    quarantineMs: 5_000,
    now: () => clock.now,
  });
  return { subject, clock };
}

describe("DeviceAdmission", () => {
  it("lets a burst through, then the sustained rate", () => {
    const { subject, clock } = admission();
    expect([1, 2, 3, 4].map(() => subject.takeToken("d"))).toEqual([true, true, true, false]);
    clock.now = 500; // one token back at 2 per second
    expect(subject.takeToken("d")).toBe(true);
    expect(subject.takeToken("d")).toBe(false);
    expect(subject.takeToken("other")).toBe(true);
  });

  it("tells how long until a device over its rate has a token again", () => {
    const { subject, clock } = admission();
    expect(subject.tokenWaitMs("d")).toBe(0);
    for (let i = 0; i < 3; i++) subject.takeToken("d");
    expect(subject.takeToken("d")).toBe(false);
    expect(subject.tokenWaitMs("d")).toBe(500);
    clock.now = 200; // 0.4 of a token back at 2 per second
    expect(subject.takeToken("d")).toBe(false);
    expect(subject.tokenWaitMs("d")).toBe(300);
    clock.now = 500;
    expect(subject.takeToken("d")).toBe(true);
  });

  it("quarantines after repeated failures within the window, then lets the device back", () => {
    const { subject, clock } = admission();
    expect(subject.recordFailure("d")).toBe(false);
    clock.now = 1_500; // the first failure left the window
    expect(subject.recordFailure("d")).toBe(false);
    expect(subject.recordFailure("d")).toBe(false);
    expect(subject.recordFailure("d")).toBe(true);
    expect(subject.quarantineLeftMs("d")).toBe(5_000);
    expect(subject.quarantined()).toEqual(["d"]);
    clock.now = 6_500;
    expect(subject.quarantineLeftMs("d")).toBe(0);
    expect(subject.quarantined()).toEqual([]);
  });

  it("releases a quarantined device at once, with its failures forgotten", () => {
    const { subject, clock } = admission();
    const changes: string[] = [];
    subject.onChange((deviceId, change) => changes.push(`${deviceId} ${change}`));
    expect(subject.release("d")).toBe(false);
    for (let i = 0; i < 3; i++) subject.recordFailure("d");
    expect(subject.quarantineLeftMs("d")).toBe(5_000);
    clock.now = 100;
    expect(subject.release("d")).toBe(true);
    expect(subject.quarantineLeftMs("d")).toBe(0);
    expect(subject.quarantined()).toEqual([]);
    // Two more failures do not put it back: the ones before the release are forgotten.
    expect([subject.recordFailure("d"), subject.recordFailure("d")]).toEqual([false, false]);
    expect(subject.release("d")).toBe(false);
    expect(changes).toEqual(["d quarantined", "d released"]);
  });
});

import { Channel, DeviceFrame, DeviceState, SignedFrame } from "@intelledger/proto/device";
import { beforeEach, describe, expect, it } from "vitest";
import { generateDeviceKeys, signFrame } from "@intelledger/test-support";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { DeviceAdmission } from "./device-admission.js";
import { DeviceRegistry } from "../devices/device-registry.js";
import { FrameAcceptor, type FrameVerdict } from "./frame-acceptor.js";

const keys = generateDeviceKeys();
const NOW = Date.UTC(2026, 10, 22);

function frame(overrides: Partial<DeviceFrame> = {}): DeviceFrame {
  return {
    deviceId: "press-7",
    counter: 1,
    deviceTimeMs: NOW,
    uptimeMs: 1_000,
    samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: NOW, value: 2_150, scale: 2 }],
    ...overrides,
  };
}

let registry: DeviceRegistry;
let acceptor: FrameAcceptor;
const clock = { now: 0 };

function useAcceptor(maxFailures: number): void {
  const admission = new DeviceAdmission({
    framesPerSecond: 100,
    burst: 5,
    maxFailures,
    failureWindowMs: 10_000,
    quarantineMs: 60_000,
    now: () => clock.now,
  });
  acceptor = new FrameAcceptor(registry, admission, { maxFrameBytes: 512 });
}

beforeEach(() => {
  registry = new DeviceRegistry(openGatewayDatabase(":memory:"));
  registry.register("press-7", keys.publicKeyPoint);
  clock.now = 0;
  useAcceptor(100);
});

const temperatureAt = (timestampMs: number) => ({
  channel: Channel.CHANNEL_TEMPERATURE,
  index: 0,
  timestampMs,
  value: 2_000,
  scale: 2,
});

const reason = (verdict: FrameVerdict) => (verdict.accepted ? "accepted" : verdict.reason);

describe("FrameAcceptor", () => {
  it("accepts samples a device kept through a long outage and sends late", () => {
    const buffered = frame({ samples: [temperatureAt(NOW - 4 * 3_600_000)] });
    expect(reason(acceptor.check(signFrame(buffered, keys.privateKey)))).toBe("accepted");
  });

  it("accepts a genuine new frame, and a frame that only reports status", () => {
    expect(reason(acceptor.check(signFrame(frame(), keys.privateKey), "press-7"))).toBe("accepted");
    const status = {
      firmwareVersion: "1.0.0",
      state: DeviceState.DEVICE_STATE_READY,
      bufferedReadings: 0,
      samplingIntervalMs: 1000,
      freeHeapBytes: 1,
      rssiDbm: -50,
      droppedReadings: 0,
    };
    const verdict = acceptor.check(signFrame(frame({ counter: 2, samples: [], status }), keys.privateKey));
    expect(verdict.accepted && verdict.frame.status).toEqual(status);
  });

  it("names the reason for each kind of bad frame", () => {
    const other = generateDeviceKeys();
    const cases: [string, Uint8Array, string?][] = [
      ["oversized", new Uint8Array(513)],
      ["malformed", Uint8Array.of(0xff, 0xff, 0xff)],
      ["unknown_device", signFrame(frame({ deviceId: "stranger" }), other.privateKey)],
      ["device_mismatch", signFrame(frame(), keys.privateKey), "press-8"],
      ["bad_signature", signFrame(frame(), other.privateKey)],
      [
        "bad_signature",
        SignedFrame.encode({ frame: DeviceFrame.encode(frame()).finish(), signature: new Uint8Array(10) }).finish(),
      ],
      ["invalid_sample", signFrame(frame({ samples: [] }), keys.privateKey)],
      [
        "invalid_sample",
        signFrame(
          frame({ samples: [{ channel: 9 as Channel, index: 0, timestampMs: NOW, value: 1, scale: 0 }] }),
          keys.privateKey,
        ),
      ],
      [
        "invalid_sample",
        signFrame(
          frame({ samples: [{ channel: Channel.CHANNEL_HUMIDITY, index: 0, timestampMs: NOW, value: 1_500, scale: 1 }] }),
          keys.privateKey,
        ),
      ],
      ["invalid_sample", signFrame(frame({ samples: [temperatureAt(NOW + 3_600_000)] }), keys.privateKey)],
      ["invalid_sample", signFrame(frame({ samples: [temperatureAt(NOW - 40 * 86_400_000)] }), keys.privateKey)],
    ];
    cases.forEach(([expected, bytes, claimed], index) =>
      expect(reason(acceptor.check(bytes, claimed)), `case ${index}`).toBe(expected),
    );
  });

  it("counts frames a device numbered that never arrived, but not the counters a reboot skips", () => {
    acceptor.check(signFrame(frame({ counter: 3, uptimeMs: 5_000 }), keys.privateKey));
    const lost = acceptor.check(signFrame(frame({ counter: 7, uptimeMs: 9_000 }), keys.privateKey));
    expect(lost.accepted && lost.frame.missedBefore).toBe(3);
    // Rebooted (uptime went back): the device reserved counters ahead and skipped them.
    const rebooted = acceptor.check(signFrame(frame({ counter: 40, uptimeMs: 300 }), keys.privateKey));
    expect(rebooted.accepted && rebooted.frame.missedBefore).toBe(0);
  });

  it("refuses a counter it has seen, and an inactive device", () => {
    expect(reason(acceptor.check(signFrame(frame({ counter: 5 }), keys.privateKey)))).toBe("accepted");
    expect(reason(acceptor.check(signFrame(frame({ counter: 5 }), keys.privateKey)))).toBe("replayed");
    expect(reason(acceptor.check(signFrame(frame({ counter: 4 }), keys.privateKey)))).toBe("replayed");
    registry.setStatus("press-7", "inactive");
    expect(reason(acceptor.check(signFrame(frame({ counter: 6 }), keys.privateKey)))).toBe("inactive_device");
  });

  it("limits a device's rate without burning its counter", () => {
    const verdicts = Array.from({ length: 6 }, (_, i) =>
      reason(acceptor.check(signFrame(frame({ counter: i + 1 }), keys.privateKey))),
    );
    expect(verdicts).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted", "rate_limited"]);
    clock.now = 1_000; // tokens are back; the refused frame can be sent again
    expect(reason(acceptor.check(signFrame(frame({ counter: 6 }), keys.privateKey)))).toBe("accepted");
  });

  it("quarantines a device whose frames keep failing, then lets it back", () => {
    useAcceptor(3);
    const forged = signFrame(frame({ counter: 7 }), generateDeviceKeys().privateKey);
    acceptor.check(forged);
    acceptor.check(forged);
    const third = acceptor.check(forged);
    expect(!third.accepted && third.quarantined).toBe(true);
    expect(reason(acceptor.check(signFrame(frame({ counter: 7 }), keys.privateKey)))).toBe("quarantined");
    clock.now = 62_000;
    expect(reason(acceptor.check(signFrame(frame({ counter: 7 }), keys.privateKey)))).toBe("accepted");
  });
});

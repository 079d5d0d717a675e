import { Channel, DeviceFrame, DeviceState, SignedFrame } from "@intelledger/proto/device";
import { pino } from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import { generateDeviceKeys, signFrame, type FrameToSign } from "@intelledger/test-support";
import { AuditLog } from "../auth/audit-log.js";
import { openGatewayDatabase, type SqliteDatabase } from "../store/gateway-database.js";
import { DeviceAdmission } from "./device-admission.js";
import { DeviceRegistry } from "../devices/device-registry.js";
import { FrameAcceptor, type FrameVerdict } from "./frame-acceptor.js";
import { unlimitedAdmission } from "../../test/ingest-pipeline-fixture.js";

const keys = generateDeviceKeys();
const NOW = Date.UTC(2026, 10, 22);

function frame(overrides: Partial<FrameToSign> = {}): FrameToSign {
  return {
    deviceId: "press-7",
    counter: 1,
    deviceTimeMs: NOW,
    uptimeMs: 1_000,
    samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: NOW, value: 2_150, scale: 2 }],
    ...overrides,
  };
}

let db: SqliteDatabase;
let registry: DeviceRegistry;
let acceptor: FrameAcceptor;
const clock = { now: 0 };
const MAX_COUNTER_JUMP = 1_000;

function useAcceptor(maxFailures: number): void {
  const admission = new DeviceAdmission({
    framesPerSecond: 100,
    burst: 5,
    maxFailures,
    failureWindowMs: 10_000,
    quarantineMs: 60_000,
    now: () => clock.now,
  });
  acceptor = new FrameAcceptor(registry, admission, { maxFrameBytes: 512, maxCounterJump: MAX_COUNTER_JUMP });
}

beforeEach(() => {
  db = openGatewayDatabase(":memory:");
  registry = new DeviceRegistry(db);
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
  it("accepts samples a device kept through a long outage and sends late", async () => {
    const buffered = frame({ samples: [temperatureAt(NOW - 4 * 3_600_000)] });
    expect(reason(await acceptor.check(signFrame(buffered, keys.privateKey)))).toBe("accepted");
  });

  it("accepts a genuine new frame, and a frame that only reports status", async () => {
    expect(reason(await acceptor.check(signFrame(frame(), keys.privateKey), { claimedDeviceId: "press-7" }))).toBe("accepted");
    const status = {
      firmwareVersion: "1.0.0",
      state: DeviceState.DEVICE_STATE_READY,
      bufferedReadings: 0,
      samplingIntervalMs: 1000,
      freeHeapBytes: 1,
      rssiDbm: -50,
      droppedReadings: 0,
    };
    const verdict = await acceptor.check(signFrame(frame({ counter: 2, samples: [], status }), keys.privateKey));
    expect(verdict.accepted && verdict.frame.status).toEqual(status);
  });

  it("names the reason for each kind of bad frame", async () => {
    const other = generateDeviceKeys();
    const cases: [string, Uint8Array, string?][] = [
      ["oversized", new Uint8Array(513)],
      ["malformed", Uint8Array.of(0xff, 0xff, 0xff)],
      ["unknown_device", signFrame(frame({ deviceId: "stranger" }), other.privateKey)],
      ["device_mismatch", signFrame(frame(), keys.privateKey), "press-8"],
      ["bad_signature", signFrame(frame(), other.privateKey)],
      [
        "bad_signature",
        SignedFrame.encode({
          frame: DeviceFrame.encode({ ...frame(), counter: 1n }).finish(),
          signature: new Uint8Array(10),
        }).finish(),
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
    for (const [index, [expected, bytes, claimed]] of cases.entries()) {
      expect(reason(await acceptor.check(bytes, { claimedDeviceId: claimed })), `case ${index}`).toBe(expected);
    }
  });

  it("counts frames a device numbered that never arrived, but not the counters a reboot skips", async () => {
    await acceptor.check(signFrame(frame({ counter: 3, uptimeMs: 5_000 }), keys.privateKey));
    const lost = await acceptor.check(signFrame(frame({ counter: 7, uptimeMs: 9_000 }), keys.privateKey));
    expect(lost.accepted && lost.frame.missedBefore).toBe(3);
    // Rebooted (uptime went back): the device reserved counters ahead and skipped them.
    const rebooted = await acceptor.check(signFrame(frame({ counter: 40, uptimeMs: 300 }), keys.privateKey));
    expect(rebooted.accepted && rebooted.frame.missedBefore).toBe(0);
  });

  it("refuses a counter it has seen, and an inactive device", async () => {
    expect(reason(await acceptor.check(signFrame(frame({ counter: 5 }), keys.privateKey)))).toBe("accepted");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 5 }), keys.privateKey)))).toBe("replayed");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 4 }), keys.privateKey)))).toBe("replayed");
    registry.setStatus("press-7", "inactive", trail());
    expect(reason(await acceptor.check(signFrame(frame({ counter: 6 }), keys.privateKey)))).toBe("inactive_device");
  });

  it("limits a device's rate without burning its counter", async () => {
    const verdicts = [];
    for (let counter = 1; counter <= 6; counter++) {
      verdicts.push(reason(await acceptor.check(signFrame(frame({ counter }), keys.privateKey))));
    }
    expect(verdicts).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted", "rate_limited"]);
    clock.now = 4;
    // At 100 frames per second the next token is 10 ms after the burst, 6 ms from now.
    expect(await acceptor.check(signFrame(frame({ counter: 6 }), keys.privateKey))).toMatchObject({
      reason: "rate_limited",
      retryAfterMs: 6,
    });
    clock.now = 1_000; // tokens are back; the refused frame can be sent again
    expect(reason(await acceptor.check(signFrame(frame({ counter: 6 }), keys.privateKey)))).toBe("accepted");
  });

  it("quarantines a device whose frames keep failing, then lets it back", async () => {
    useAcceptor(3);
    const forged = signFrame(frame({ counter: 7 }), generateDeviceKeys().privateKey);
    const fromTheDevice = { claimedDeviceId: "press-7", authenticatedDeviceId: "press-7" };
    await acceptor.check(forged, fromTheDevice);
    await acceptor.check(forged, fromTheDevice);
    const third = await acceptor.check(forged, fromTheDevice);
    expect(!third.accepted && third.quarantined).toBe(true);
    expect(reason(await acceptor.check(signFrame(frame({ counter: 7 }), keys.privateKey)))).toBe("quarantined");
    clock.now = 45_000;
    expect(await acceptor.check(signFrame(frame({ counter: 7 }), keys.privateKey))).toMatchObject({
      reason: "quarantined",
      retryAfterMs: 15_000,
    });
    clock.now = 62_000;
    expect(reason(await acceptor.check(signFrame(frame({ counter: 7 }), keys.privateKey)))).toBe("accepted");
  });

  it("asks a device whose frame over the rate quarantined it to wait out the quarantine", async () => {
    useAcceptor(1);
    for (let counter = 1; counter <= 5; counter++) await acceptor.check(signFrame(frame({ counter }), keys.privateKey));
    expect(await acceptor.check(signFrame(frame({ counter: 6 }), keys.privateKey))).toMatchObject({
      reason: "rate_limited",
      quarantined: true,
      retryAfterMs: 60_000,
    });
  });

  it("never quarantines a device for bad signatures from a link that did not authenticate it", async () => {
    useAcceptor(3);
    const forged = signFrame(frame({ counter: 7 }), generateDeviceKeys().privateKey);
    const sources = [{}, { claimedDeviceId: "press-7" }, { claimedDeviceId: "press-7", authenticatedDeviceId: "press-8" }];
    for (let i = 0; i < 20; i++) expect(reason(await acceptor.check(forged, sources[i % sources.length]))).toBe("bad_signature");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 7 }), keys.privateKey)))).toBe("accepted");
  });

  it("counts implausible samples of a validly signed frame wherever it came from: only the device could sign them", async () => {
    useAcceptor(3);
    const broken = (counter: number) => signFrame(frame({ counter, samples: [temperatureAt(NOW + 3_600_000)] }), keys.privateKey);
    await acceptor.check(broken(1));
    await acceptor.check(broken(2));
    const third = await acceptor.check(broken(3));
    expect(!third.accepted && third.quarantined).toBe(true);
  });
});

const trail = () => ({ audit: new AuditLog(db, pino({ level: "silent" })), actor: "technician-1" });

describe("FrameAcceptor counters", () => {
  it("refuses a validly signed counter far ahead without bricking the device: its next frames are taken", async () => {
    expect(reason(await acceptor.check(signFrame(frame({ counter: 5 }), keys.privateKey)))).toBe("accepted");
    const wild = await acceptor.check(signFrame(frame({ counter: 5 + 1_000_000_000 }), keys.privateKey));
    expect(!wild.accepted && wild.reason).toBe("counter_jump");
    expect(!wild.accepted && wild.detail).toMatch(/1000000005 is more than 1000 above the last accepted, 5/);
    expect(registry.get("press-7")?.lastCounter).toBe(5n);
    expect(reason(await acceptor.check(signFrame(frame({ counter: 6 }), keys.privateKey)))).toBe("accepted");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 6 + MAX_COUNTER_JUMP }), keys.privateKey)))).toBe("accepted");
  });

  it("takes uint64 counters beyond 2^53 exactly, and refuses counters beyond 2^63 - 1", async () => {
    const big = 2n ** 60n + 1n; // not representable as a double: 2^60 + 1 would round to 2^60
    registry.resetCounter("press-7", big - 1n, trail());
    const verdict = await acceptor.check(signFrame(frame({ counter: big }), keys.privateKey));
    expect(verdict.accepted && verdict.frame.counter).toBe(big);
    expect(reason(await acceptor.check(signFrame(frame({ counter: big }), keys.privateKey)))).toBe("replayed");
    expect(reason(await acceptor.check(signFrame(frame({ counter: big - 1n }), keys.privateKey)))).toBe("replayed");

    registry.resetCounter("press-7", 2n ** 63n - 2n, trail());
    expect(reason(await acceptor.check(signFrame(frame({ counter: 2n ** 63n - 1n }), keys.privateKey)))).toBe("accepted");
    const beyond = await acceptor.check(signFrame(frame({ counter: 2n ** 63n }), keys.privateKey));
    expect(!beyond.accepted && beyond.detail).toMatch(/beyond 9223372036854775807/);
    expect(reason(await acceptor.check(signFrame(frame({ counter: 2n ** 64n - 1n }), keys.privateKey)))).toBe("counter_jump");
  });

  it("takes the old key's frames still on their way after a rotation, until the new key's first frame", async () => {
    expect(reason(await acceptor.check(signFrame(frame({ counter: 1 }), keys.privateKey)))).toBe("accepted");
    const newKeys = generateDeviceKeys();
    const handover = { signature: new Uint8Array(64), acceptInFlight: true };
    registry.rotateKey("press-7", newKeys.publicKeyPoint, trail(), 1n, handover);
    expect(reason(await acceptor.check(signFrame(frame({ counter: 2 }), keys.privateKey)))).toBe("accepted");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 3 }), newKeys.privateKey)))).toBe("accepted");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 4 }), keys.privateKey)))).toBe("bad_signature");

    // Retired at once: the old key's frames are refused from the start.
    const thirdKeys = generateDeviceKeys();
    registry.rotateKey("press-7", thirdKeys.publicKeyPoint, trail(), 3n, { ...handover, acceptInFlight: false });
    expect(reason(await acceptor.check(signFrame(frame({ counter: 4 }), newKeys.privateKey)))).toBe("bad_signature");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 4 }), thirdKeys.privateKey)))).toBe("accepted");
  });

  it("recovers a device by an audited counter reset or key rotation", async () => {
    expect(reason(await acceptor.check(signFrame(frame({ counter: 900 }), keys.privateKey)))).toBe("accepted");
    // The device's storage was wiped: it starts again at 1, which is a replay until a technician resets the counter.
    expect(reason(await acceptor.check(signFrame(frame({ counter: 1 }), keys.privateKey)))).toBe("replayed");
    registry.resetCounter("press-7", 0n, trail());
    expect(reason(await acceptor.check(signFrame(frame({ counter: 1 }), keys.privateKey)))).toBe("accepted");

    // Re-provisioned with a new key: the old key's frames no longer verify, the new key's do, from counter 1.
    const newKeys = generateDeviceKeys();
    registry.rotateKey("press-7", newKeys.publicKeyPoint, trail());
    expect(reason(await acceptor.check(signFrame(frame({ counter: 2 }), keys.privateKey)))).toBe("bad_signature");
    expect(reason(await acceptor.check(signFrame(frame({ counter: 1 }), newKeys.privateKey)))).toBe("accepted");

    const audit = trail().audit.list();
    expect(audit.map((entry) => [entry.actor, entry.action, entry.target])).toEqual([
      ["technician-1", "device.key.rotate", "press-7"],
      ["technician-1", "device.counter.reset", "press-7"],
    ]);
    expect(audit[1]?.details).toEqual({ before: { lastCounter: "900" }, after: { lastCounter: "0" } });
    expect(audit[0]?.details).toMatchObject({
      before: { lastCounter: "1" },
      after: { publicKey: Buffer.from(newKeys.publicKeyPoint).toString("hex"), lastCounter: "0" },
    });
    // A restarted gateway reads the reset counter and the new key back (accepted frames advance it when stored).
    const reloaded = new DeviceRegistry(db).get("press-7");
    expect(reloaded?.lastCounter).toBe(0n);
    expect(Buffer.from(reloaded?.publicKeyPoint ?? []).equals(Buffer.from(newKeys.publicKeyPoint))).toBe(true);
  });
});

describe("FrameAcceptor with signatures checked at once", () => {
  it("decides each device's frames in the order they arrived, whichever signature is checked first", async () => {
    acceptor = new FrameAcceptor(registry, unlimitedAdmission(), { maxFrameBytes: 512, maxCounterJump: MAX_COUNTER_JUMP });
    const frames = Array.from({ length: 200 }, (_, i) => signFrame(frame({ counter: i + 1, uptimeMs: i }), keys.privateKey));
    // Each frame again, re-signed (ECDSA signs differently each time): other bytes, same counter.
    const resigned = Array.from({ length: 200 }, (_, i) => signFrame(frame({ counter: i + 1, uptimeMs: i }), keys.privateKey));
    const verdicts = await Promise.all([
      ...frames.map((bytes) => acceptor.check(bytes)),
      ...resigned.map((bytes) => acceptor.check(bytes)),
    ]);
    expect(verdicts.slice(0, 200).map(reason)).toEqual(Array<string>(200).fill("accepted"));
    expect(verdicts.slice(200).map(reason)).toEqual(Array<string>(200).fill("replayed"));
    expect(verdicts.filter((verdict) => verdict.accepted && verdict.frame.missedBefore > 0)).toEqual([]);
    expect(registry.get("press-7")?.lastCounter).toBe(200n);
  });

  it("checks a frame against the device's new key when its key is rotated while the frame is being verified", async () => {
    const inFlight = acceptor.check(signFrame(frame({ counter: 2 }), keys.privateKey));
    registry.rotateKey("press-7", generateDeviceKeys().publicKeyPoint, trail());
    expect(reason(await inFlight)).toBe("bad_signature");
  });

  it("refuses the frames behind one that quarantined their device, though they arrived before the quarantine", async () => {
    useAcceptor(1);
    const verdicts = await Promise.all(
      Array.from({ length: 7 }, (_, i) => acceptor.check(signFrame(frame({ counter: i + 1 }), keys.privateKey))),
    );
    expect(verdicts.map(reason)).toEqual([
      "accepted",
      "accepted",
      "accepted",
      "accepted",
      "accepted",
      "rate_limited",
      "quarantined",
    ]);
  });
});

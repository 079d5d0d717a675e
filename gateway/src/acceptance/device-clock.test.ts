import { Channel } from "@intelledger/proto/device";
import { describe, expect, it } from "vitest";
import { generateDeviceKeys, signFrame } from "@intelledger/test-support";
import { ingestPipelineOver } from "../../test/ingest-pipeline-fixture.js";
import { GatewayClock } from "../clock/gateway-clock.js";
import { openGatewayDatabase } from "../store/gateway-database.js";

const GATEWAY_NOW = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const keys = generateDeviceKeys();

/** A pipeline over a real database whose gateway clock reads `wallMs`. */
function pipeline(wallMs: number) {
  const { pipeline: subject, readings } = ingestPipelineOver(openGatewayDatabase(":memory:"), {
    devices: [{ deviceId: "clock-1", publicKeyPoint: keys.publicKeyPoint }],
    clock: new GatewayClock({ boot: 1, wallNow: () => wallMs, uptimeNow: () => 5_000 }),
    groupCommitDelayMs: 0,
  });
  let counter = 0;
  /** Sends a frame stamped `deviceTimeMs` with one sample stamped `sampleTimeMs`; returns the stored reading's time_uncertain. */
  const send = async (deviceTimeMs: number, sampleTimeMs = deviceTimeMs) => {
    counter++;
    const bytes = signFrame(
      {
        deviceId: "clock-1",
        counter,
        deviceTimeMs,
        uptimeMs: counter,
        samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: sampleTimeMs, value: 2_000, scale: 2 }],
      },
      keys.privateKey,
    );
    const outcome = await subject.handle({ transport: "mqtt", bytes });
    expect(outcome.accepted).toBe(true);
    const [reading] = readings.between(counter, counter);
    return { timeUncertain: reading?.timeUncertain, sampledAtMs: reading?.sampledAtMs };
  };
  return { subject, send };
}

describe("device clocks checked against the gateway's", () => {
  it("store readings of an implausible device clock as time-uncertain, and count them", async () => {
    const { subject, send } = pipeline(GATEWAY_NOW);
    expect(await send(GATEWAY_NOW)).toEqual({ timeUncertain: false, sampledAtMs: GATEWAY_NOW });
    // A frame resent a day late after an outage, with a sample its device buffered for a week.
    expect((await send(GATEWAY_NOW - DAY, GATEWAY_NOW - 7 * DAY)).timeUncertain).toBe(false);
    // A board that booted in 1970, a clock set to 2100, a device that never had time.
    expect(await send(Date.UTC(1970, 0, 1, 0, 5))).toEqual({ timeUncertain: true, sampledAtMs: Date.UTC(1970, 0, 1, 0, 5) });
    expect((await send(Date.UTC(2100, 0, 1))).timeUncertain).toBe(true);
    expect((await send(0, 3_000)).timeUncertain).toBe(true);
    // A minute and more ahead, 30 days and more behind.
    expect((await send(GATEWAY_NOW + 2 * 60_000)).timeUncertain).toBe(true);
    expect((await send(GATEWAY_NOW - 31 * DAY)).timeUncertain).toBe(true);
    // A sample within 30 days of its frame, but more than 30 days behind the gateway.
    expect((await send(GATEWAY_NOW - 20 * DAY, GATEWAY_NOW - 45 * DAY)).timeUncertain).toBe(true);
    expect(subject.counters.deviceClockImplausibleFrames).toBe(6);
    expect(subject.counters.timeUncertainFrames).toBe(0);
  });

  it("leave the device clock unjudged when the gateway's own clock is not trusted: its readings are uncertain anyway", async () => {
    const { subject, send } = pipeline(5_000); // the gateway's clock is unset too
    expect((await send(GATEWAY_NOW)).timeUncertain).toBe(true);
    expect(subject.counters.deviceClockImplausibleFrames).toBe(0);
    expect(subject.counters.timeUncertainFrames).toBe(1);
  });
});

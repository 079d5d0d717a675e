import { status } from "@grpc/grpc-js";
import { batchHash, ZERO_BATCH_HASH, type RegisterResponse } from "@intelledger/proto/relay";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outboxFixture, type OutboxFixture } from "../../test/outbox-fixture.js";
import { StubRelay } from "../../test/stub-relay.js";
import { GatewayClock } from "../clock/gateway-clock.js";
import { ChainMismatchError, register, resumePoint } from "./registration.js";

let relay: StubRelay;
let fixture: OutboxFixture;

beforeEach(async () => {
  relay = new StubRelay();
  await relay.start();
  fixture = outboxFixture();
});

afterEach(() => {
  relay.stop();
  fixture.db.close();
});

function collectingLogger() {
  const lines: { msg: string; clockErrorMs?: number }[] = [];
  return {
    lines,
    logger: pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) }),
  };
}

describe("registration", () => {
  it("introduces the gateway with its signature and boot, and learns where the relay's record ends", async () => {
    const client = relay.client();
    const { lines, logger } = collectingLogger();
    const clock = new GatewayClock({ boot: 3 });
    const response = await register({ client, identity: fixture.identity, clock, logger });
    expect(response).toMatchObject({ nextSequence: 1, flowControl: { maxInFlight: 4 } });
    expect(new Uint8Array(response.lastBatchHash)).toEqual(ZERO_BATCH_HASH);
    expect(relay.registrations[0]?.request).toMatchObject({ gatewayId: fixture.identity.address, boot: 3 });
    expect(lines).toEqual([]);
    client.close();
  });

  it("reports a gateway clock that disagrees with the relay's", async () => {
    relay.relayTimeMs = () => Date.now() + 60_000;
    const client = relay.client();
    const { lines, logger } = collectingLogger();
    await register({ client, identity: fixture.identity, clock: new GatewayClock({ boot: 1 }), logger });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/clock disagrees with the relay/);
    expect(Math.abs((lines[0]?.clockErrorMs ?? 0) + 60_000)).toBeLessThan(1_000);
    client.close();
  });

  it("signs again with the relay's time when the relay refuses the gateway's clock", async () => {
    relay.relayTimeMs = () => Date.now() + 3_600_000;
    relay.registrationWindowMs = 15 * 60_000;
    const client = relay.client();
    const { lines, logger } = collectingLogger();
    const response = await register({ client, identity: fixture.identity, clock: new GatewayClock({ boot: 1 }), logger });
    expect(response.nextSequence).toBe(1);
    expect(relay.registrations).toHaveLength(2);
    const [refused, accepted] = relay.registrations;
    expect((accepted?.request.timestampMs ?? 0) - (refused?.request.timestampMs ?? 0)).toBeGreaterThan(3_500_000);
    // The clock stays reported as wrong: readings stay time-uncertain.
    expect(lines.map((line) => line.msg)).toEqual([
      "the relay refused the gateway's clock; registering with the relay's time",
      "gateway clock disagrees with the relay; readings stay time-uncertain",
    ]);
    client.close();
  });

  it("fails with the relay's status when it refuses", async () => {
    relay.refuseRegistration = { code: status.PERMISSION_DENIED, details: "registration names another gateway" };
    const client = relay.client();
    const refused = register({ client, identity: fixture.identity, clock: new GatewayClock({ boot: 1 }), logger: pino() });
    await expect(refused).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: "registration names another gateway",
    });
    client.close();
  });
});

describe("the resume point", () => {
  const answer = (nextSequence: number, lastBatchHash: Uint8Array): RegisterResponse => ({
    nextSequence,
    lastBatchHash,
    relayTimeMs: Date.now(),
    flowControl: undefined,
    lastGatewaySeq: 0,
  });

  it("is the first batch when the relay holds none", async () => {
    await fixture.seal(2);
    expect(resumePoint(answer(1, ZERO_BATCH_HASH), fixture.outbox)).toBe(1);
    expect(fixture.outbox.get(1)?.state).toBe("sealed");
  });

  it("follows the relay's last batch, acknowledging every batch up to it", async () => {
    for (let i = 0; i < 3; i++) await fixture.seal(2);
    const second = fixture.outbox.get(2)!;
    expect(resumePoint(answer(3, batchHash(second)), fixture.outbox)).toBe(3);
    expect(fixture.outbox.from(1, 3).map((batch) => batch.state)).toEqual(["acknowledged", "acknowledged", "sealed"]);
  });

  it("refuses a relay whose record is not this gateway's chain", async () => {
    await fixture.seal(2);
    expect(() => resumePoint(answer(3, ZERO_BATCH_HASH), fixture.outbox)).toThrow(ChainMismatchError);
    expect(() => resumePoint(answer(2, new Uint8Array(32).fill(1)), fixture.outbox)).toThrow(/last batch differs/);
    expect(fixture.outbox.get(1)?.state).toBe("sealed");
  });
});

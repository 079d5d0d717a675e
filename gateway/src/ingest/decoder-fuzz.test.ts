import { encodeSerialPacket, SerialPacketDecoder } from "@intelledger/proto/serial";
import { describe, expect, it } from "vitest";
import { unlimitedAdmission } from "../../test/ingest-pipeline-fixture.js";
import { DeviceRegistry } from "../devices/device-registry.js";
import { FrameAcceptor, REJECTION_REASONS, type FrameVerdict } from "../acceptance/frame-acceptor.js";
import { SimulatedDevice } from "@intelledger/test-support";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { seededRandom as random } from "@intelledger/test-support";

/** Inputs per decoding path; the acceptance bar is a million. */
const INPUTS = Number(process.env.EDGE_FUZZ_INPUTS ?? 1_000_000);
/** Genuine frames the inputs are made from. */
const SEED_FRAMES = 64;

function setUp() {
  const registry = new DeviceRegistry(openGatewayDatabase(":memory:"));
  const target = new SimulatedDevice("fuzz-target");
  const bystander = new SimulatedDevice("bystander");
  registry.register(target.deviceId, target.publicKeyPoint);
  registry.register(bystander.deviceId, bystander.publicKeyPoint);
  // Quarantine would stop most inputs early; here every input must go the whole way.
  const acceptor = new FrameAcceptor(registry, unlimitedAdmission(), { maxFrameBytes: 512, maxCounterJump: 1_000_000 });
  const seeds = Array.from({ length: SEED_FRAMES }, () => target.nextFrameBytes());
  return { acceptor, target, bystander, seeds };
}

/** One generated input: random bytes, or a genuine frame bit-flipped, truncated, extended or spliced. */
function generate(next: () => number, seeds: readonly Uint8Array[]): Uint8Array {
  const pick = next();
  const seed = seeds[Math.floor(next() * seeds.length)] as Uint8Array;
  if (pick < 0.25) return Uint8Array.from({ length: Math.floor(next() * 600) }, () => Math.floor(next() * 256));
  const bytes = Uint8Array.from(seed);
  if (pick < 0.6) {
    for (let flips = 1 + Math.floor(next() * 4); flips > 0; flips--) {
      const at = Math.floor(next() * bytes.length);
      bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(next() * 8));
    }
    return bytes;
  }
  if (pick < 0.8) return bytes.subarray(0, Math.floor(next() * bytes.length));
  if (pick < 0.9)
    return Uint8Array.from([...bytes, ...Array.from({ length: 1 + Math.floor(next() * 600) }, () => Math.floor(next() * 256))]);
  const other = seeds[Math.floor(next() * seeds.length)] as Uint8Array;
  const cut = Math.floor(next() * Math.min(bytes.length, other.length));
  return Uint8Array.from([...bytes.subarray(0, cut), ...other.subarray(cut)]);
}

/**
 * Checks a verdict: a rejection has a known reason; an acceptance must be of a genuine
 * frame (bytes around it may have been mangled, the signed bytes not), and never of the
 * same frame twice. Returns whether it was accepted.
 */
function checkVerdict(verdict: FrameVerdict, acceptedCounters: Set<bigint>): boolean {
  if (!verdict.accepted) {
    if (!REJECTION_REASONS.includes(verdict.reason)) throw new Error(`unknown rejection ${String(verdict.reason)}`);
    return false;
  }
  const { deviceId, counter } = verdict.frame;
  if (deviceId !== "fuzz-target" || counter < 1n || counter > BigInt(SEED_FRAMES))
    throw new Error(`accepted a frame no device made: ${deviceId} #${counter}`);
  if (acceptedCounters.has(counter)) throw new Error(`accepted frame ${counter} twice`);
  acceptedCounters.add(counter);
  return true;
}

describe(`decoding fuzz, ${INPUTS} inputs per path`, () => {
  it("MQTT payloads: every input gets a verdict, only genuine frames pass, once, and a genuine device is unaffected", async () => {
    const { acceptor, bystander, seeds } = setUp();
    const next = random(0x5eed);
    const acceptedCounters = new Set<bigint>();
    let slowestMs = 0;
    for (let i = 0; i < INPUTS; i++) {
      const input = generate(next, seeds);
      const started = performance.now();
      const verdict = await acceptor.check(input, next() < 0.5 ? { claimedDeviceId: "fuzz-target" } : {});
      slowestMs = Math.max(slowestMs, performance.now() - started);
      checkVerdict(verdict, acceptedCounters);
    }
    console.log(
      `MQTT path: ${INPUTS} inputs, ${acceptedCounters.size} genuine frames among them, slowest ${slowestMs.toFixed(2)} ms`,
    );
    // A hang would never return; this bound only has to stay clear of GC pauses on a busy machine.
    expect(slowestMs).toBeLessThan(2_000);
    expect((await acceptor.check(bystander.nextFrameBytes(), { claimedDeviceId: "bystander" })).accepted).toBe(true);
  }, 600_000);

  it("serial streams: garbage and mangled packets are dropped with a reason and the stream recovers", async () => {
    const { acceptor, bystander, seeds } = setUp();
    const next = random(0xc0b5);
    const acceptedCounters = new Set<bigint>();
    const decoder = new SerialPacketDecoder();
    let packets = 0;
    let dropped = 0;
    for (let i = 0; i < INPUTS; i++) {
      const generated = generate(next, seeds);
      // Half the inputs are well framed (whatever they carry), half raw bytes on the line.
      const input = next() < 0.5 && generated.length > 0 ? encodeSerialPacket(generated.subarray(0, 512)) : generated;
      const chunk = input.length === 0 ? input : input.subarray(0, Math.max(1, Math.floor(next() * input.length * 1.2)));
      for (const packet of decoder.push(chunk)) {
        packets++;
        if (!packet.ok) {
          dropped++;
          continue;
        }
        checkVerdict(await acceptor.check(packet.payload), acceptedCounters);
      }
    }
    console.log(`serial path: ${INPUTS} inputs, ${packets} packets delimited, ${dropped} dropped by framing`);
    // After all that, the line still carries a genuine frame.
    const packet = decoder.push(Uint8Array.from([0, ...encodeSerialPacket(bystander.nextFrameBytes())])).at(-1);
    expect(packet?.ok && (await acceptor.check(packet.payload)).accepted).toBe(true);
    expect(dropped).toBeGreaterThan(0);
  }, 600_000);
});

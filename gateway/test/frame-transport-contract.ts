// The contract every frame transport keeps, as one suite each transport's test file runs
// with a harness of its own (MQTT through the embedded broker and through an external one,
// serial, BLE): a device's frame is acknowledged only once the gateway has it durably or
// refused it for good; a frame the gateway could not take now, or had not made durable when
// it stopped, comes again and is stored once; restarts lose nothing; commands reach devices.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimulatedDevice, until } from "@intelledger/test-support";
import type { RejectionReason } from "../src/acceptance/frame-acceptor.js";
import { decodeSignedFrame } from "../src/acceptance/frame-decoding.js";
import { GatewayError } from "../src/errors.js";
import type { FrameHandler, FrameTransport, IncomingFrame, IngestOutcome } from "../src/ingest/frame-transport.js";

/**
 * What the device side learnt of one frame: the gateway has it or refused it for good
 * (`acknowledged`, with the refusal where the link says one), it told the device "not now"
 * (`not_now`: a FrameAck saying so, with why and when to retry where the link says; an MQTT
 * connection ended without PUBACK), or nothing yet (`none`).
 */
export type LinkAnswer =
  { kind: "acknowledged"; refusal?: string } | { kind: "not_now"; refusal?: string; retryAfterMs?: number } | { kind: "none" };

/** A frame a device sent; its answer can be awaited more than once. */
export interface ContractSend {
  answered(timeoutMs: number): Promise<LinkAnswer>;
}

/**
 * The device side of a link: a device on a serial line, a BLE peripheral, an MQTT client
 * (with the external broker that holds its frames for the gateway).
 */
export interface ContractDevice {
  /** Sends one signed frame as the device does, and again when asked again (a resend). */
  send(signedFrame: Uint8Array): ContractSend;
  /** The next signed command the gateway sent this device. */
  nextCommand(timeoutMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface FrameTransportHarness {
  /** A new transport on the same medium and endpoint, as a (re)started gateway makes it. */
  createTransport(): FrameTransport;
  /** Puts the device on the medium (registering its login where the link asks for one). */
  attachDevice(device: SimulatedDevice): Promise<ContractDevice>;
  /** Resolves once the started transport can carry frames from and commands to the device. */
  reachable(transport: FrameTransport, device: SimulatedDevice): Promise<void>;
  /** Whether the link's answers say why a frame was refused and when to retry (a FrameAck does; a PUBACK cannot). */
  answersGiveReasons: boolean;
  close(): Promise<void>;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The "not now" the contract's gateway gives: why, and the retry hint a link should pass on. */
const NOT_NOW = { reason: "rate_limited", retryAfterMs: 40 } as const;

/**
 * The gateway behind the transport, as the ingest pipeline behaves: a counter is taken when
 * its frame is accepted (a copy is then a replay) and given back when storing fails; frames
 * stored survive restarts, as the database does. A test can hold a frame before it is
 * durable, refuse one for good, or refuse one "not now" a number of times.
 */
class ContractGateway {
  /** Every frame handed in, in order. */
  readonly frames: IncomingFrame[] = [];
  /** Counters of the frames made durable, in order. */
  readonly stored: bigint[] = [];
  private lastCounter = 0n;
  private readonly holds = new Map<bigint, Deferred>();
  private readonly refusals = new Set<bigint>();
  private readonly notNow = new Map<bigint, number>();

  readonly handle: FrameHandler = async (frame) => {
    this.frames.push(frame);
    const { deviceId, counter } = decodeSignedFrame(frame.bytes).frame;
    if (counter <= this.lastCounter) return refused(deviceId, "replayed");
    if (this.refusals.has(counter)) return refused(deviceId, "invalid_sample");
    const deferrals = this.notNow.get(counter) ?? 0;
    if (deferrals > 0) {
      this.notNow.set(counter, deferrals - 1);
      throw new GatewayError("frame not taken now: over the rate", { deviceId, ...NOT_NOW });
    }
    const before = this.lastCounter;
    this.lastCounter = counter;
    try {
      await this.holds.get(counter)?.promise;
    } catch (error) {
      this.lastCounter = before;
      throw error;
    }
    this.stored.push(counter);
    return { accepted: true, deviceId };
  };

  /** The frame waits before it is durable until the hold is resolved (or dropped by a stop). */
  hold(counter: bigint): Deferred {
    const hold = deferred();
    this.holds.set(counter, hold);
    return hold;
  }

  /** The gateway stopped: frames still held were never made durable. */
  dropHolds(): void {
    for (const hold of this.holds.values()) hold.reject(new GatewayError("the gateway stopped before the frame was durable"));
    this.holds.clear();
  }

  refuse(counter: bigint): void {
    this.refusals.add(counter);
  }

  notNowTimes(counter: bigint, times: number): void {
    this.notNow.set(counter, times);
  }

  /** How often a frame of this counter reached the gateway. */
  seen(counter: bigint): number {
    return this.frames.filter((frame) => decodeSignedFrame(frame.bytes).frame.counter === counter).length;
  }
}

function refused(deviceId: string, reason: RejectionReason): IngestOutcome {
  return { accepted: false, reason, detail: "refused by the contract's gateway", deviceId };
}

/** How long a device waits for an answer before it sends a frame again. */
const RESEND_AFTER_MS = 1_000;
/** How long it waits after "not now" when the link gives no hint, or after failing to send. */
const PAUSE_MS = 50;
const DELIVERY_TIMEOUT_MS = 30_000;

/**
 * What the firmware does with a frame: sends it, and sends it again after "not now" (waiting
 * as asked) or when no answer comes, until it is acknowledged.
 */
async function deliver(device: ContractDevice, bytes: Uint8Array): Promise<LinkAnswer> {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  for (;;) {
    const answer = await device.send(bytes).answered(RESEND_AFTER_MS);
    if (answer.kind === "acknowledged") return answer;
    if (Date.now() > deadline) throw new Error(`frame not acknowledged within ${DELIVERY_TIMEOUT_MS} ms`);
    await sleep(answer.kind === "not_now" ? (answer.retryAfterMs ?? PAUSE_MS) : PAUSE_MS);
  }
}

const ANSWER_TIMEOUT_MS = 5_000;
/** Long enough that an acknowledgement sent too early would have arrived. */
const NO_ANSWER_MS = 500;

/** Runs the frame transport contract against the transport `setUp` makes a harness for (once per test). */
export function describeFrameTransportContract(name: string, setUp: () => Promise<FrameTransportHarness>): void {
  describe(`the frame transport contract: ${name}`, () => {
    let harness: FrameTransportHarness;
    let transport: FrameTransport | undefined;
    let gateway: ContractGateway;
    let frames: SimulatedDevice;
    let device: ContractDevice;

    const start = async () => {
      transport = harness.createTransport();
      await transport.start(gateway.handle);
      await harness.reachable(transport, frames);
    };

    /** A gateway restart: the transport stops, whatever was not durable is lost to the gateway, a new transport starts. */
    const restart = async () => {
      await transport?.stop();
      gateway.dropHolds();
      await start();
    };

    beforeEach(async () => {
      harness = await setUp();
      gateway = new ContractGateway();
      frames = new SimulatedDevice(`contract-${Math.random().toString(36).slice(2, 8)}`);
      device = await harness.attachDevice(frames);
      await start();
    }, 30_000);

    afterEach(async () => {
      await device.close();
      await transport?.stop();
      transport = undefined;
      gateway.dropHolds();
      await harness.close();
    }, 30_000);

    /** The device's next frame and its counter. */
    const nextFrame = () => {
      const bytes = frames.nextFrameBytes();
      return { bytes, counter: BigInt(frames.counter) };
    };

    it("hands each frame to the gateway in order, named as from this transport, and acknowledges each", async () => {
      const counters: bigint[] = [];
      for (let i = 0; i < 5; i++) {
        const { bytes, counter } = nextFrame();
        counters.push(counter);
        expect(await device.send(bytes).answered(ANSWER_TIMEOUT_MS)).toEqual({ kind: "acknowledged" });
      }
      expect(gateway.stored).toEqual(counters);
      expect(gateway.frames.map((frame) => frame.transport)).toEqual(counters.map(() => transport?.name));
    });

    it("acknowledges a frame only once it is durable", async () => {
      const { bytes, counter } = nextFrame();
      const durable = gateway.hold(counter);
      const sent = device.send(bytes);
      await until(() => gateway.seen(counter) === 1, "the frame at the gateway");
      expect(await sent.answered(NO_ANSWER_MS)).toEqual({ kind: "none" });
      expect(gateway.stored).toEqual([]);
      durable.resolve();
      expect(await sent.answered(ANSWER_TIMEOUT_MS)).toEqual({ kind: "acknowledged" });
      expect(gateway.stored).toEqual([counter]);
    });

    it("gets a frame again when the gateway stopped before it was durable, and stores it once", async () => {
      const { bytes, counter } = nextFrame();
      gateway.hold(counter);
      const sent = device.send(bytes);
      await until(() => gateway.seen(counter) === 1, "the frame at the gateway");
      expect(await sent.answered(NO_ANSWER_MS)).toEqual({ kind: "none" });
      await restart();
      // Stored by the first copy to reach the restarted gateway; a later copy is a refused replay.
      expect((await deliver(device, bytes)).kind).toBe("acknowledged");
      expect(gateway.stored).toEqual([counter]);
      expect(gateway.seen(counter)).toBeGreaterThanOrEqual(2);
    });

    it("acknowledges a frame refused for good, which is then not sent again, even across a restart", async () => {
      const refusedFrame = nextFrame();
      gateway.refuse(refusedFrame.counter);
      const answer = await device.send(refusedFrame.bytes).answered(ANSWER_TIMEOUT_MS);
      expect(answer).toEqual(
        harness.answersGiveReasons ? { kind: "acknowledged", refusal: "invalid_sample" } : { kind: "acknowledged" },
      );
      await restart();
      const next = nextFrame();
      expect(await deliver(device, next.bytes)).toEqual({ kind: "acknowledged" });
      expect(gateway.seen(refusedFrame.counter)).toBe(1);
      expect(gateway.stored).toEqual([next.counter]);
    });

    it('answers "not now" to a frame the gateway cannot take now, which comes again until taken, and is stored once', async () => {
      const { bytes, counter } = nextFrame();
      gateway.notNowTimes(counter, 2);
      const first = await device.send(bytes).answered(ANSWER_TIMEOUT_MS);
      expect(first).toEqual(
        harness.answersGiveReasons
          ? { kind: "not_now", refusal: NOT_NOW.reason, retryAfterMs: NOT_NOW.retryAfterMs }
          : { kind: "not_now" },
      );
      expect(gateway.stored).toEqual([]);
      await sleep(first.kind === "not_now" ? (first.retryAfterMs ?? PAUSE_MS) : PAUSE_MS);
      expect(await deliver(device, bytes)).toEqual({ kind: "acknowledged" });
      expect(gateway.stored).toEqual([counter]);
      expect(gateway.seen(counter)).toBe(3);
    });

    it("loses no frame and stores none twice across three gateway restarts while the device sends 30", async () => {
      const FRAMES = 30;
      const sending = (async () => {
        for (let i = 0; i < FRAMES; i++) await deliver(device, nextFrame().bytes);
      })();
      for (const after of [5, 12, 20]) {
        await until(() => gateway.stored.length >= after, `${after} frames stored`);
        await restart();
      }
      await sending;
      expect(gateway.stored).toEqual(Array.from({ length: FRAMES }, (_, i) => BigInt(i + 1)));
    }, 120_000);

    it("carries commands to the device that sent frames", async () => {
      await deliver(device, nextFrame().bytes);
      const command = Uint8Array.from({ length: 90 }, (_, i) => (i * 31 + 7) % 256);
      expect(await transport?.sendCommand(frames.deviceId, command)).toBe(true);
      expect(Buffer.from(await device.nextCommand(ANSWER_TIMEOUT_MS)).toString("hex")).toBe(Buffer.from(command).toString("hex"));
    });
  });
}

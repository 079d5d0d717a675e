// The behaviour every frame transport owes the devices, as one suite each transport runs:
// import describeFrameTransportContract in a test file and give it a harness.
import { DeviceFrame, SignedFrame } from "@intelledger/proto/device";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { SimulatedDevice } from "@intelledger/test-support";
import type { FrameHandler, FrameTransport, IncomingFrame, IngestOutcome } from "./frame-transport.js";

/**
 * What a device learnt of one frame it sent: the gateway has it or refused it for good
 * (`acknowledged`, with the refusal where the transport says one), or told it "not now"
 * (`not_now`: a FrameAck saying so, or an MQTT publish refused), or nothing yet (`none`).
 */
export type LinkAnswer =
  { kind: "acknowledged"; refusal?: string } | { kind: "not_now"; retryAfterMs?: number } | { kind: "none" };

/** A frame a device sent; its answer can be awaited more than once. */
export interface ContractSend {
  answered(timeoutMs: number): Promise<LinkAnswer>;
}

/** A device on the transport's medium (a serial line, a BLE peripheral, an MQTT client). */
export interface ContractDevice {
  readonly deviceId: string;
  /** Sends the bytes of one signed frame, as the device would (and again, for a resend). */
  send(signedFrame: Uint8Array): ContractSend;
  /** The next signed command the gateway sent this device. */
  nextCommand(timeoutMs: number): Promise<Uint8Array>;
}

export interface FrameTransportHarness {
  /** A new transport on the shared medium, as a (re)started gateway makes it. */
  createTransport(): FrameTransport;
  /** A device on the medium; one per test is enough. */
  attachDevice(deviceId: string): Promise<ContractDevice>;
  /** Resolves once the started transport can carry frames from and commands to the device. */
  reachable(transport: FrameTransport, device: ContractDevice): Promise<void>;
  close(): Promise<void>;
}

/** A handler the test scripts: it records every frame and answers as told. */
class ScriptedHandler {
  readonly frames: IncomingFrame[] = [];
  /** Counters of frames taken, in order. */
  readonly stored: number[] = [];
  private next: ((frame: IncomingFrame, deviceId: string, counter: number) => Promise<IngestOutcome>)[] = [];

  readonly handle: FrameHandler = (frame) => {
    this.frames.push(frame);
    const decoded = DeviceFrame.decode(SignedFrame.decode(frame.bytes).frame);
    const script = this.next.shift();
    if (script) return script(frame, decoded.deviceId, decoded.counter);
    this.stored.push(decoded.counter);
    return Promise.resolve({ accepted: true, deviceId: decoded.deviceId });
  };

  /** The next frame gets this answer instead of being stored. */
  then(script: (frame: IncomingFrame, deviceId: string, counter: number) => Promise<IngestOutcome>): void {
    this.next.push(script);
  }
}

const ANSWER_TIMEOUT_MS = 5_000;

/**
 * The frame transport contract: frames reach the handler and are acknowledged only once it
 * says they are durable or finally refused; a frame that cannot be taken now is not
 * acknowledged, and the device's resend is taken; a transport stopped with a frame unanswered
 * (a gateway restart) loses nothing; commands reach the device that sent frames.
 */
export function describeFrameTransportContract(name: string, setup: () => Promise<FrameTransportHarness>): void {
  describe(`${name}: frame transport contract`, () => {
    let harness: FrameTransportHarness;
    let transport: FrameTransport | undefined;
    let handler: ScriptedHandler;
    let device: ContractDevice;
    let frames: SimulatedDevice;

    const startTransport = async () => {
      handler = new ScriptedHandler();
      transport = harness.createTransport();
      await transport.start(handler.handle);
      await harness.reachable(transport, device);
    };

    beforeEach(async () => {
      harness = await setup();
      frames = new SimulatedDevice(`contract-${Math.random().toString(36).slice(2, 8)}`);
      device = await harness.attachDevice(frames.deviceId);
      await startTransport();
    });

    afterEach(async () => {
      await transport?.stop();
      transport = undefined;
      await harness.close();
    });

    it("hands each frame to the handler in order and acknowledges each", async () => {
      const counters: number[] = [];
      for (let i = 0; i < 5; i++) {
        const bytes = frames.nextFrameBytes();
        counters.push(frames.counter);
        expect(await device.send(bytes).answered(ANSWER_TIMEOUT_MS)).toEqual({ kind: "acknowledged" });
      }
      expect(handler.stored).toEqual(counters);
      expect(handler.frames.every((frame) => frame.transport === transport?.name)).toBe(true);
    });

    it("acknowledges a frame only once the handler says it is durable", async () => {
      let durable: (() => void) | undefined;
      handler.then(
        (_frame, deviceId) =>
          new Promise((resolve) => {
            durable = () => resolve({ accepted: true, deviceId });
          }),
      );
      const sent = device.send(frames.nextFrameBytes());
      expect(await sent.answered(500)).toEqual({ kind: "none" });
      expect(durable).toBeDefined();
      durable?.();
      expect(await sent.answered(ANSWER_TIMEOUT_MS)).toEqual({ kind: "acknowledged" });
    });

    it("acknowledges a frame refused for good, so the device drops it", async () => {
      handler.then((_frame, deviceId) =>
        Promise.resolve({ accepted: false, reason: "replayed", detail: "counter not above the last", deviceId }),
      );
      const answer = await device.send(frames.nextFrameBytes()).answered(ANSWER_TIMEOUT_MS);
      expect(answer.kind).toBe("acknowledged");
      expect(handler.frames).toHaveLength(1);
    });

    it("does not acknowledge a frame that cannot be taken now, and takes the device's resend", async () => {
      handler.then((_frame, deviceId) =>
        Promise.reject(new GatewayError("frame not taken now: over the rate", { deviceId, reason: "rate_limited" })),
      );
      const bytes = frames.nextFrameBytes();
      expect((await device.send(bytes).answered(ANSWER_TIMEOUT_MS)).kind).not.toBe("acknowledged");
      expect(handler.stored).toEqual([]);
      expect(await device.send(bytes).answered(ANSWER_TIMEOUT_MS)).toEqual({ kind: "acknowledged" });
      expect(handler.stored).toEqual([frames.counter]);
      expect(handler.frames.map((frame) => Buffer.from(frame.bytes).toString("hex"))).toEqual([
        Buffer.from(bytes).toString("hex"),
        Buffer.from(bytes).toString("hex"),
      ]);
    });

    it("loses nothing when stopped with a frame unanswered: the restarted transport takes the resend", async () => {
      handler.then(() => new Promise<IngestOutcome>(() => undefined)); // the gateway dies before the frame is durable
      const bytes = frames.nextFrameBytes();
      expect(await device.send(bytes).answered(500)).toEqual({ kind: "none" });
      await transport?.stop();
      await startTransport();
      expect(await device.send(bytes).answered(ANSWER_TIMEOUT_MS)).toEqual({ kind: "acknowledged" });
      expect(handler.stored).toEqual([frames.counter]);
    });

    it("carries commands to a device it heard from, and says when it cannot reach one", async () => {
      expect(await device.send(frames.nextFrameBytes()).answered(ANSWER_TIMEOUT_MS)).toEqual({ kind: "acknowledged" });
      const command = Uint8Array.from({ length: 90 }, (_, i) => (i * 31 + 7) % 256);
      expect(await transport?.sendCommand(frames.deviceId, command)).toBe(true);
      expect(Buffer.from(await device.nextCommand(ANSWER_TIMEOUT_MS)).toString("hex")).toBe(Buffer.from(command).toString("hex"));
      expect(await transport?.sendCommand("nobody-here", command)).toBe(false);
    });
  });
}

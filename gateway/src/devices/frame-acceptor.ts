import { verify } from "node:crypto";
import { Channel, DeviceFrame, SignedFrame, type Sample } from "@intelledger/proto/device";
import type { DeviceRegistry } from "./device-registry.js";

/** Why a frame was refused; each reason is counted separately. */
export const REJECTION_REASONS = [
  "oversized",
  "malformed",
  "unknown_device",
  "inactive_device",
  "device_mismatch",
  "bad_signature",
  "replayed",
  "invalid_sample",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface AcceptedFrame {
  deviceId: string;
  counter: number;
  deviceTimeMs: number;
  samples: Sample[];
}

export type FrameVerdict =
  { accepted: true; frame: AcceptedFrame } | { accepted: false; reason: RejectionReason; detail: string; deviceId?: string };

export const MAX_SAMPLES_PER_FRAME = 16;
const MAX_SCALE = 9;
const KNOWN_CHANNELS = new Set<number>([
  Channel.CHANNEL_TEMPERATURE,
  Channel.CHANNEL_HUMIDITY,
  Channel.CHANNEL_VIBRATION,
  Channel.CHANNEL_ANALOG,
]);

function reject(reason: RejectionReason, detail: string, deviceId?: string): FrameVerdict {
  return deviceId === undefined ? { accepted: false, reason, detail } : { accepted: false, reason, detail, deviceId };
}

function sampleProblem(samples: readonly Sample[]): string | undefined {
  if (samples.length === 0) return "frame has no samples";
  if (samples.length > MAX_SAMPLES_PER_FRAME)
    return `frame has ${samples.length} samples, at most ${MAX_SAMPLES_PER_FRAME} allowed`;
  for (const [index, sample] of samples.entries()) {
    if (!KNOWN_CHANNELS.has(sample.channel)) return `sample ${index} has unknown channel ${sample.channel}`;
    if (sample.scale > MAX_SCALE) return `sample ${index} has scale ${sample.scale}, at most ${MAX_SCALE} allowed`;
  }
  return undefined;
}

/**
 * Decides whether a signed frame is genuine and new. Checks run cheapest first, and
 * the signature before the counter, so a forged frame can never advance a counter.
 */
export class FrameAcceptor {
  private readonly registry: DeviceRegistry;
  private readonly maxFrameBytes: number;

  constructor(registry: DeviceRegistry, options: { maxFrameBytes: number }) {
    this.registry = registry;
    this.maxFrameBytes = options.maxFrameBytes;
  }

  check(bytes: Uint8Array, claimedDeviceId?: string): FrameVerdict {
    if (bytes.length > this.maxFrameBytes) {
      return reject("oversized", `${bytes.length} bytes, at most ${this.maxFrameBytes} allowed`, claimedDeviceId);
    }
    let signed: SignedFrame;
    let frame: DeviceFrame;
    try {
      signed = SignedFrame.decode(bytes);
      frame = DeviceFrame.decode(signed.frame);
    } catch (error) {
      return reject("malformed", `not a signed device frame: ${(error as Error).message}`, claimedDeviceId);
    }
    if (claimedDeviceId !== undefined && frame.deviceId !== claimedDeviceId) {
      return reject("device_mismatch", `frame of ${JSON.stringify(frame.deviceId)} sent as ${claimedDeviceId}`, claimedDeviceId);
    }
    const device = this.registry.get(frame.deviceId);
    if (!device) return reject("unknown_device", `device ${JSON.stringify(frame.deviceId)} is not registered`, frame.deviceId);
    if (device.status !== "active") return reject("inactive_device", `device is ${device.status}`, frame.deviceId);
    if (signed.signature.length !== 64) {
      return reject("bad_signature", `signature is ${signed.signature.length} bytes, expected 64`, frame.deviceId);
    }
    if (!verify("sha256", signed.frame, { key: device.publicKey, dsaEncoding: "ieee-p1363" }, signed.signature)) {
      return reject("bad_signature", "signature does not verify with the registered key", frame.deviceId);
    }
    if (frame.counter <= device.lastCounter) {
      return reject("replayed", `counter ${frame.counter} not above ${device.lastCounter}`, frame.deviceId);
    }
    const problem = sampleProblem(frame.samples);
    if (problem) return reject("invalid_sample", problem, frame.deviceId);
    device.lastCounter = frame.counter;
    return {
      accepted: true,
      frame: {
        deviceId: frame.deviceId,
        counter: frame.counter,
        deviceTimeMs: frame.deviceTimeMs,
        samples: frame.samples,
      },
    };
  }
}

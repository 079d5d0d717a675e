import { verify } from "node:crypto";
import { DeviceFrame, SignedFrame, type CommandAck, type DeviceStatus, type Sample } from "@intelledger/proto/device";
import type { DeviceAdmission } from "./device-admission.js";
import type { DeviceRegistry } from "../devices/device-registry.js";
import { sampleProblem } from "./sample-rules.js";

/** Why a frame was refused; each reason is counted separately. */
export const REJECTION_REASONS = [
  "oversized",
  "malformed",
  "unknown_device",
  "inactive_device",
  "quarantined",
  "device_mismatch",
  "bad_signature",
  "replayed",
  "rate_limited",
  "invalid_sample",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Refusals that say "not now": the device keeps the frame and sends it again later. */
export const TRANSIENT_REJECTIONS: ReadonlySet<RejectionReason> = new Set(["quarantined", "rate_limited"]);

/**
 * Failures that count towards quarantine. A replay does not: a device resending frames
 * whose acknowledgement it missed is behaving correctly.
 */
const QUARANTINE_FAILURES: ReadonlySet<RejectionReason> = new Set(["bad_signature", "invalid_sample", "rate_limited"]);

export interface AcceptedFrame {
  deviceId: string;
  counter: number;
  /** Frames of this device never seen, between the last accepted one and this one (lost on the way). */
  missedBefore: number;
  deviceTimeMs: number;
  samples: Sample[];
  status: DeviceStatus | undefined;
  commandAck: CommandAck | undefined;
}

export type FrameVerdict =
  | { accepted: true; frame: AcceptedFrame }
  | { accepted: false; reason: RejectionReason; detail: string; deviceId?: string; quarantined?: boolean };

function reject(reason: RejectionReason, detail: string, deviceId?: string): FrameVerdict {
  return deviceId === undefined ? { accepted: false, reason, detail } : { accepted: false, reason, detail, deviceId };
}

/**
 * Decides whether a signed frame is genuine and new. Checks run cheapest first and the
 * signature before the counter, so a forged frame can never advance a counter. A
 * registered device whose frames keep failing is quarantined for a while.
 */
export class FrameAcceptor {
  private readonly registry: DeviceRegistry;
  private readonly admission: DeviceAdmission;
  private readonly maxFrameBytes: number;

  constructor(registry: DeviceRegistry, admission: DeviceAdmission, options: { maxFrameBytes: number }) {
    this.registry = registry;
    this.admission = admission;
    this.maxFrameBytes = options.maxFrameBytes;
  }

  check(bytes: Uint8Array, claimedDeviceId?: string): FrameVerdict {
    const verdict = this.verdict(bytes, claimedDeviceId);
    if (
      !verdict.accepted &&
      verdict.deviceId !== undefined &&
      QUARANTINE_FAILURES.has(verdict.reason) &&
      this.registry.get(verdict.deviceId)
    ) {
      return { ...verdict, quarantined: this.admission.recordFailure(verdict.deviceId) };
    }
    return verdict;
  }

  private verdict(bytes: Uint8Array, claimedDeviceId: string | undefined): FrameVerdict {
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
    const { deviceId } = frame;
    if (claimedDeviceId !== undefined && deviceId !== claimedDeviceId) {
      return reject("device_mismatch", `frame of ${JSON.stringify(deviceId)} sent as ${claimedDeviceId}`, claimedDeviceId);
    }
    const device = this.registry.get(deviceId);
    if (!device) return reject("unknown_device", `device ${JSON.stringify(deviceId)} is not registered`, deviceId);
    if (device.status !== "active") return reject("inactive_device", `device is ${device.status}`, deviceId);
    const quarantineLeftMs = this.admission.quarantineLeftMs(deviceId);
    if (quarantineLeftMs > 0)
      return reject("quarantined", `device quarantined for ${Math.ceil(quarantineLeftMs / 1000)} s more`, deviceId);
    if (signed.signature.length !== 64) {
      return reject("bad_signature", `signature is ${signed.signature.length} bytes, expected 64`, deviceId);
    }
    if (!verify("sha256", signed.frame, { key: device.publicKey, dsaEncoding: "ieee-p1363" }, signed.signature)) {
      return reject("bad_signature", "signature does not verify with the registered key", deviceId);
    }
    if (frame.counter <= device.lastCounter) {
      return reject("replayed", `counter ${frame.counter} not above ${device.lastCounter}`, deviceId);
    }
    if (frame.samples.length === 0 && !frame.status && !frame.commandAck) {
      return reject("invalid_sample", "frame carries no samples, status or command acknowledgement", deviceId);
    }
    const problem = sampleProblem(frame.samples, frame.deviceTimeMs);
    if (problem) return reject("invalid_sample", problem, deviceId);
    if (!this.admission.takeToken(deviceId)) return reject("rate_limited", "device sends faster than its rate limit", deviceId);
    // A device's first frame here may follow frames it sent elsewhere, and a device that
    // rebooted (its uptime went back) skips the counters it had reserved: only other jumps are losses.
    const rebooted = device.lastUptimeMs !== undefined && frame.uptimeMs < device.lastUptimeMs;
    const missedBefore = device.lastCounter > 0 && !rebooted ? frame.counter - device.lastCounter - 1 : 0;
    device.lastCounter = frame.counter;
    device.lastUptimeMs = frame.uptimeMs;
    return {
      accepted: true,
      frame: {
        deviceId,
        counter: frame.counter,
        missedBefore,
        deviceTimeMs: frame.deviceTimeMs,
        samples: frame.samples,
        status: frame.status,
        commandAck: frame.commandAck,
      },
    };
  }
}

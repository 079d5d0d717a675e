import { verify, type KeyObject } from "node:crypto";
import type { CommandAck, DeviceFrame, DeviceStatus, Sample, SignedFrame } from "@intelledger/proto/device";
import type { DeviceAdmission } from "./device-admission.js";
import { MAX_FRAME_COUNTER, type DeviceRegistry, type RegisteredDevice } from "../devices/device-registry.js";
import { decodeSignedFrame } from "./frame-decoding.js";
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
  "counter_jump",
  "rate_limited",
  "invalid_sample",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Refusals that say "not now": the device keeps the frame and sends it again later. */
export const TRANSIENT_REJECTIONS: ReadonlySet<RejectionReason> = new Set(["quarantined", "rate_limited"]);

/**
 * Failures of validly signed frames, which only the device can have caused: they count
 * towards its quarantine wherever they came from. A replay does not count: a device
 * resending a frame whose acknowledgement it missed is behaving correctly.
 */
const SIGNED_FAILURES: ReadonlySet<RejectionReason> = new Set(["invalid_sample", "rate_limited"]);

/** Where a frame came from, as its link knows it. */
export interface FrameSource {
  /** The device the link says sent it (MQTT topic, BLE peripheral), checked against the frame. */
  claimedDeviceId?: string | undefined;
  /**
   * The device the link proved the sender to be (an MQTT login bound to its topics). Only a
   * bad signature from such a source counts towards that device's quarantine: anyone can
   * send garbage under a device's name on a link that does not authenticate.
   */
  authenticatedDeviceId?: string | undefined;
}

export interface AcceptedFrame {
  deviceId: string;
  counter: bigint;
  /** Frames of this device never seen, between the last accepted one and this one (lost on the way). */
  missedBefore: number;
  deviceTimeMs: number;
  samples: Sample[];
  status: DeviceStatus | undefined;
  commandAck: CommandAck | undefined;
}

export type FrameVerdict =
  | { accepted: true; frame: AcceptedFrame }
  | {
      accepted: false;
      reason: RejectionReason;
      detail: string;
      deviceId?: string;
      quarantined?: boolean;
      /** For a refusal that says "not now": when the device's frame can be taken. */
      retryAfterMs?: number;
    };

function reject(reason: RejectionReason, detail: string, deviceId?: string): FrameVerdict {
  return deviceId === undefined ? { accepted: false, reason, detail } : { accepted: false, reason, detail, deviceId };
}

/** A refusal that says "not now", with when to send the frame again. */
function notNow(reason: RejectionReason, detail: string, deviceId: string, retryAfterMs: number): FrameVerdict {
  return { accepted: false, reason, detail, deviceId, retryAfterMs };
}

export interface FrameAcceptorOptions {
  maxFrameBytes: number;
  /**
   * How far above the last accepted counter a frame's counter may be. A validly signed
   * frame further ahead is refused, so one wild counter cannot make every later frame of
   * the device a replay; a technician moves the counter on purpose (DeviceRegistry.resetCounter).
   */
  maxCounterJump: number;
}

/** Frames of one device accepted but not stored that are remembered for a copy; older ones are forgotten first. */
const MAX_UNSTORED_PER_DEVICE = 4_096;

/** A frame that passed the checks needing no signature: what the signature check and the counter checks work on. */
interface ScreenedFrame {
  signed: SignedFrame;
  frame: DeviceFrame;
  /** The device's record when the frame arrived; the signature is checked with its keys. */
  device: RegisteredDevice;
}

/** Which of the device's keys signed a frame: its current one, the one it rotated away from, or neither. */
type Signer = "current" | "previous" | undefined;

/** Checks a P-256 signature on libuv's thread pool: the event loop goes on taking frames meanwhile. */
function verifiedOnPool({ frame, signature }: SignedFrame, key: KeyObject): Promise<boolean> {
  return new Promise((resolve) => {
    verify("sha256", frame, { key, dsaEncoding: "ieee-p1363" }, signature, (error, valid) => resolve(!error && valid));
  });
}

/** Which of `device`'s keys signed the frame. */
async function signerOf(signed: SignedFrame, device: RegisteredDevice): Promise<Signer> {
  if (await verifiedOnPool(signed, device.publicKey)) return "current";
  const { previousPublicKey } = device;
  return previousPublicKey && (await verifiedOnPool(signed, previousPublicKey)) ? "previous" : undefined;
}

/**
 * Decides whether a signed frame is genuine and new. Checks run cheapest first and the
 * signature before the counter, so a forged frame can never advance a counter. A
 * registered device whose frames keep failing is quarantined for a while.
 *
 * Signatures are checked on the thread pool, several at once; the checks that follow
 * (counter, samples, rate) run for each device's frames in the order they arrived, so frames
 * verified out of order are never taken for replays of each other.
 */
export class FrameAcceptor {
  private readonly registry: DeviceRegistry;
  private readonly admission: DeviceAdmission;
  private readonly maxFrameBytes: number;
  private readonly maxCounterJump: bigint;
  /** Per device, the verdict of its latest frame still being checked: the next one is decided after it. */
  private readonly lastInLine = new Map<string, Promise<FrameVerdict>>();
  /** Per device, the counters of frames accepted but not stored: each is taken once more, though later ones were. */
  private readonly unstored = new Map<string, Set<bigint>>();

  constructor(registry: DeviceRegistry, admission: DeviceAdmission, options: FrameAcceptorOptions) {
    this.registry = registry;
    this.admission = admission;
    this.maxFrameBytes = options.maxFrameBytes;
    this.maxCounterJump = BigInt(options.maxCounterJump);
  }

  /** The verdict on one frame; call in the order the frames arrived (the order is taken before this returns). */
  check(bytes: Uint8Array, source: FrameSource = {}): Promise<FrameVerdict> {
    const screened = this.screen(bytes, source.claimedDeviceId);
    if ("accepted" in screened) return Promise.resolve(this.countingFailures(screened, source));
    const { deviceId } = screened.frame;
    const verdict = Promise.all([signerOf(screened.signed, screened.device), this.lastInLine.get(deviceId)]).then(
      async ([signedAtArrival]) => {
        const device = this.registry.get(deviceId);
        // Its keys were rotated while the signature was being checked: check it against the keys it has now.
        const signer = device && device !== screened.device ? await signerOf(screened.signed, device) : signedAtArrival;
        return this.countingFailures(this.decide(screened.frame, signer), source);
      },
    );
    this.lastInLine.set(deviceId, verdict);
    const leaveLine = () => {
      if (this.lastInLine.get(deviceId) === verdict) this.lastInLine.delete(deviceId);
    };
    verdict.then(leaveLine, leaveLine);
    return verdict;
  }

  /**
   * Tells that the frame accepted with `counter` was not stored after all (its commit failed):
   * the device's next copy of it is taken, though frames after it were accepted meanwhile.
   * Counters are never set back, so a frame accepted meanwhile cannot be taken twice.
   */
  notStored(deviceId: string, counter: bigint): void {
    const counters = this.unstored.get(deviceId) ?? new Set();
    counters.add(counter);
    // A device that never sends its frame again must not make the set grow without end.
    if (counters.size > MAX_UNSTORED_PER_DEVICE) counters.delete(counters.values().next().value as bigint);
    this.unstored.set(deviceId, counters);
  }

  /** Whether the frame is a copy of one accepted but not stored; it is taken so once. */
  private takeUnstored(deviceId: string, counter: bigint): boolean {
    const counters = this.unstored.get(deviceId);
    if (!counters?.delete(counter)) return false;
    if (counters.size === 0) this.unstored.delete(deviceId);
    return true;
  }

  /** Counts a refusal that only the device can have caused towards its quarantine. */
  private countingFailures(verdict: FrameVerdict, source: FrameSource): FrameVerdict {
    if (verdict.accepted || verdict.deviceId === undefined || !this.registry.get(verdict.deviceId)) return verdict;
    const devicesOwnFailure =
      SIGNED_FAILURES.has(verdict.reason) ||
      (verdict.reason === "bad_signature" && source.authenticatedDeviceId === verdict.deviceId);
    if (!devicesOwnFailure) return verdict;
    const quarantined = this.admission.recordFailure(verdict.deviceId);
    // A frame refused "not now" that quarantined its device can be taken once the quarantine ends.
    return quarantined && verdict.retryAfterMs !== undefined
      ? { ...verdict, quarantined, retryAfterMs: this.admission.quarantineLeftMs(verdict.deviceId) }
      : { ...verdict, quarantined };
  }

  /** The checks that need no signature: a frame failing one is refused without the cost of verifying it. */
  private screen(bytes: Uint8Array, claimedDeviceId: string | undefined): FrameVerdict | ScreenedFrame {
    if (bytes.length > this.maxFrameBytes) {
      return reject("oversized", `${bytes.length} bytes, at most ${this.maxFrameBytes} allowed`, claimedDeviceId);
    }
    let signed: SignedFrame;
    let frame: DeviceFrame;
    try {
      ({ signed, frame } = decodeSignedFrame(bytes));
    } catch (error) {
      return reject("malformed", `not a signed device frame: ${(error as Error).message}`, claimedDeviceId);
    }
    const { deviceId } = frame;
    if (claimedDeviceId !== undefined && deviceId !== claimedDeviceId) {
      return reject("device_mismatch", `frame of ${JSON.stringify(deviceId)} sent as ${claimedDeviceId}`, claimedDeviceId);
    }
    const device = this.registry.get(deviceId);
    if (!device) return reject("unknown_device", `device ${JSON.stringify(deviceId)} is not registered`, deviceId);
    const refusal = this.admissionRefusal(device);
    if (refusal) return refusal;
    if (signed.signature.length !== 64) {
      return reject("bad_signature", `signature is ${signed.signature.length} bytes, expected 64`, deviceId);
    }
    return { signed, frame, device };
  }

  /** Refuses frames of a device that is not active or is quarantined. */
  private admissionRefusal(device: RegisteredDevice): FrameVerdict | undefined {
    const { deviceId } = device;
    if (device.status !== "active") return reject("inactive_device", `device is ${device.status}`, deviceId);
    const quarantineLeftMs = this.admission.quarantineLeftMs(deviceId);
    if (quarantineLeftMs <= 0) return undefined;
    return notNow(
      "quarantined",
      `device quarantined for ${Math.ceil(quarantineLeftMs / 1000)} s more`,
      deviceId,
      quarantineLeftMs,
    );
  }

  /** The checks after the signature, run for each device's frames in arrival order. */
  private decide(frame: DeviceFrame, signer: Signer): FrameVerdict {
    const { deviceId } = frame;
    const device = this.registry.get(deviceId);
    if (!device) return reject("unknown_device", `device ${JSON.stringify(deviceId)} is not registered`, deviceId);
    // Frames of the device decided meanwhile may have quarantined it, or a technician changed it.
    const refusal = this.admissionRefusal(device);
    if (refusal) return refusal;
    if (!signer) return reject("bad_signature", "signature does not verify with the registered key", deviceId);
    const resent = frame.counter <= device.lastCounter;
    if (resent && !this.unstored.get(deviceId)?.has(frame.counter)) {
      return reject("replayed", `counter ${frame.counter} not above ${device.lastCounter}`, deviceId);
    }
    if (frame.counter - device.lastCounter > this.maxCounterJump) {
      return reject(
        "counter_jump",
        `counter ${frame.counter} is more than ${this.maxCounterJump} above the last accepted, ${device.lastCounter}`,
        deviceId,
      );
    }
    if (frame.counter > MAX_FRAME_COUNTER) {
      return reject("counter_jump", `counter ${frame.counter} is beyond ${MAX_FRAME_COUNTER}, the largest kept`, deviceId);
    }
    if (frame.samples.length === 0 && !frame.status && !frame.commandAck) {
      return reject("invalid_sample", "frame carries no samples, status or command acknowledgement", deviceId);
    }
    const problem = sampleProblem(frame.samples, frame.deviceTimeMs);
    if (problem) return reject("invalid_sample", problem, deviceId);
    if (!this.admission.takeToken(deviceId)) {
      return notNow("rate_limited", "device sends faster than its rate limit", deviceId, this.admission.tokenWaitMs(deviceId));
    }
    // A device's first frame here may follow frames it sent elsewhere, and a device that
    // rebooted (its uptime went back) skips the counters it had reserved: only other jumps are losses.
    const rebooted = device.lastUptimeMs !== undefined && frame.uptimeMs < device.lastUptimeMs;
    const missedBefore = device.lastCounter > 0n && !rebooted && !resent ? Number(frame.counter - device.lastCounter - 1n) : 0;
    if (resent) this.takeUnstored(deviceId, frame.counter);
    else {
      device.lastCounter = frame.counter;
      device.lastUptimeMs = frame.uptimeMs;
    }
    // The device signs with its new key now: what its old key signs from here on is not its own.
    if (signer === "current") delete device.previousPublicKey;
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

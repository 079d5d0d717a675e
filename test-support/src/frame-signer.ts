import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { DeviceFrame, SignedFrame } from "@intelledger/proto/device";
import { p256PointOf } from "@intelledger/proto/p256";

/** A device's P-256 key pair, as an ESP32 would hold it. */
export interface DeviceKeys {
  privateKey: KeyObject;
  /** 65-byte uncompressed point, the form the gateway registers. */
  publicKeyPoint: Uint8Array;
}

export function generateDeviceKeys(): DeviceKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicKeyPoint: p256PointOf(publicKey) };
}

/** A frame to sign; its counter is a uint64 on the wire, so it may be a bigint beyond 2^53. */
export type FrameToSign = Omit<DeviceFrame, "counter"> & { counter: number | bigint };

/** Encodes and signs a frame exactly as the firmware does: ECDSA P-256 over SHA-256 of the encoded frame, r || s. */
export function signFrame(frame: FrameToSign, privateKey: KeyObject): Uint8Array {
  const encoded = DeviceFrame.encode({ ...frame, counter: BigInt(frame.counter) }).finish();
  const signature = sign("sha256", encoded, { key: privateKey, dsaEncoding: "ieee-p1363" });
  return SignedFrame.encode({ frame: encoded, signature }).finish();
}

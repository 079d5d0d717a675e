import { DeviceFrame, SignedFrame } from "@intelledger/proto/device";

/** A SignedFrame and the DeviceFrame it carries (its counter the full uint64, a bigint); throws on bytes that are neither. */
export function decodeSignedFrame(bytes: Uint8Array): { signed: SignedFrame; frame: DeviceFrame } {
  const signed = SignedFrame.decode(bytes);
  return { signed, frame: DeviceFrame.decode(signed.frame) };
}

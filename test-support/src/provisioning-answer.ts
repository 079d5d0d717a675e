import { sign, type KeyObject } from "node:crypto";
import type { DeviceMessage } from "@intelledger/proto/device";
import { ProvisionRequest, ProvisionResult, type ProvisionResponse } from "@intelledger/proto/device";
import { provisioningProof } from "@intelledger/proto/provisioning";

/** A device's side of USB provisioning: its public key, the key it proves it with, and its firmware. */
export interface ProvisionableKey {
  /** 65-byte uncompressed P-256 point. */
  publicKey: Uint8Array;
  /** Signs the proof; another key than the one of publicKey makes a forged answer. */
  signingKey: KeyObject;
  firmwareVersion: string;
}

/**
 * The DeviceMessage a device answers a ProvisionRequest with, as the firmware builds it: the
 * request's nonce and device id, the device's key, and its signature over the request;
 * `overrides` make the answers a misbehaving device would give.
 */
export function provisionAnswer(
  requestBytes: Uint8Array,
  device: ProvisionableKey,
  overrides: Partial<ProvisionResponse> = {},
): DeviceMessage {
  const request = ProvisionRequest.decode(requestBytes);
  const value: ProvisionResponse = {
    result: ProvisionResult.PROVISION_RESULT_PROVISIONED,
    nonce: request.nonce,
    deviceId: request.deviceId,
    publicKey: device.publicKey,
    firmwareVersion: device.firmwareVersion,
    signature: sign("sha256", provisioningProof(requestBytes, device.publicKey, device.firmwareVersion), {
      key: device.signingKey,
      dsaEncoding: "ieee-p1363",
    }),
    detail: "",
    ...overrides,
  };
  return { body: { $case: "provisionResponse", value } };
}

import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import type { ProvisionResponse } from "./gen/intelledger/device/v1/provisioning.js";
import { ProvisionRequest, ProvisionResult, provisionResultToJSON } from "./gen/intelledger/device/v1/provisioning.js";

/**
 * USB provisioning, the message side: the request a technician's tool sends a device, and the
 * check of its answer. Byte layouts and rules are in docs/wire-formats.md ("Provisioning");
 * the device applies the same limits (firmware/components/edge_core/src/provision.c).
 */

/** The provisioning proof starts with these 32 ASCII bytes (domain separation from frames). */
export const PROVISIONING_PROOF_TAG = "IntelLedger Edge provisioning v1";
export const PROVISIONING_NONCE_BYTES = 32;
export const MAX_MQTT_CA_CERTIFICATE_BYTES = 1280;
const MIN_SAMPLING_INTERVAL_MS = 100;
const MAX_SAMPLING_INTERVAL_MS = 3_600_000;
const DEVICE_ID = /^[A-Za-z0-9._-]{1,31}$/;
const HOST = /^[A-Za-z0-9._:-]{1,64}$/;
const WIFI_PASSPHRASE = /^[\x20-\x7e]{8,63}$/;

export type ProvisioningErrorCode =
  /** The settings break a rule of the wire format; `details.field` names the field. */
  | "invalid_settings"
  /** The path is no serial port (missing, or not a tty). */
  | "wrong_port"
  /** Another process holds the port (the gateway's serial transport, a terminal). */
  | "device_busy"
  /** No answer to the request in time: no device on the port, or one that does not speak the framing. */
  | "no_answer"
  /** The answer's signature, key or device id does not match the request. */
  | "bad_signature"
  /** The device answered but did not take the settings: `details.result` is locked, invalid or failed. */
  | "refused";

/** What went wrong in a provisioning exchange; `code` says which case, `details` the specifics. */
export class ProvisioningError extends Error {
  readonly code: ProvisioningErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ProvisioningErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ProvisioningError";
    this.code = code;
    this.details = details;
  }
}

export type ProvisioningLink =
  | { kind: "serial" }
  | { kind: "ble" }
  | {
      kind: "wifiMqtt";
      wifiSsid: string;
      /** Empty for an open network. */
      wifiPassword: string;
      mqttHost: string;
      mqttPort: number;
      /** DER; when given the device connects with TLS and checks the broker against it. */
      mqttCaCertificate?: Uint8Array;
      /** The device's own broker credentials; a token goes in the password. */
      mqttUsername?: string;
      mqttPassword?: string;
    };

/** What a technician gives a device. */
export interface ProvisioningSettings {
  deviceId: string;
  /** The gateway's P-256 command key, 65-byte uncompressed point. */
  gatewayCommandKey: Uint8Array;
  samplingIntervalMs: number;
  link: ProvisioningLink;
}

/** A device that took its settings and proved it holds the key it reported. */
export interface ProvisionedDevice {
  deviceId: string;
  /** The device's P-256 public key, 65-byte uncompressed point: what the gateway registers. */
  publicKey: Uint8Array;
  firmwareVersion: string;
}

function invalid(field: string, rule: string): ProvisioningError {
  return new ProvisioningError("invalid_settings", `${field}: ${rule}`, { field });
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The key of an uncompressed P-256 point, or undefined when the bytes are no such point. */
function p256PublicKey(point: Uint8Array): KeyObject | undefined {
  if (point.length !== 65 || point[0] !== 0x04) return undefined;
  const coordinate = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
  try {
    return createPublicKey({
      key: { kty: "EC", crv: "P-256", x: coordinate(point.subarray(1, 33)), y: coordinate(point.subarray(33)) },
      format: "jwk",
    });
  } catch {
    return undefined;
  }
}

/** Accepts the uncompressed form of a point on P-256, as devices do. */
export function isP256Point(point: Uint8Array): boolean {
  return p256PublicKey(point) !== undefined;
}

/** One DER SEQUENCE spanning the whole buffer: what an X.509 certificate is (a PEM file is not). */
function isDerSequence(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x30) return false;
  const first = bytes[1] as number;
  if (first < 0x80) return 2 + first === bytes.length;
  const lengthBytes = first & 0x7f;
  if (lengthBytes < 1 || lengthBytes > 2 || bytes.length < 2 + lengthBytes) return false;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + (bytes[2 + i] as number);
  return 2 + lengthBytes + length === bytes.length;
}

function checkWifiMqtt(link: Extract<ProvisioningLink, { kind: "wifiMqtt" }>): void {
  const ssidBytes = utf8Length(link.wifiSsid);
  if (ssidBytes < 1 || ssidBytes > 32 || link.wifiSsid.includes("\0")) {
    throw invalid("wifi_mqtt.wifi_ssid", "must be 1 to 32 bytes");
  }
  if (link.wifiPassword !== "" && !WIFI_PASSPHRASE.test(link.wifiPassword)) {
    throw invalid("wifi_mqtt.wifi_password", "must be empty or 8 to 63 printable ASCII characters");
  }
  if (!HOST.test(link.mqttHost)) throw invalid("wifi_mqtt.mqtt_host", "must be 1 to 64 of A-Z a-z 0-9 . _ : -");
  if (!Number.isInteger(link.mqttPort) || link.mqttPort < 1 || link.mqttPort > 65_535) {
    throw invalid("wifi_mqtt.mqtt_port", "must be 1 to 65535");
  }
  const ca = link.mqttCaCertificate ?? new Uint8Array();
  if (ca.length > MAX_MQTT_CA_CERTIFICATE_BYTES || (ca.length > 0 && !isDerSequence(ca))) {
    throw invalid(
      "wifi_mqtt.mqtt_ca_certificate",
      `must be one DER certificate of at most ${MAX_MQTT_CA_CERTIFICATE_BYTES} bytes`,
    );
  }
  const username = link.mqttUsername ?? "";
  const password = link.mqttPassword ?? "";
  if (utf8Length(username) > 64 || username.includes("\0")) throw invalid("wifi_mqtt.mqtt_username", "must be at most 64 bytes");
  if (utf8Length(password) > 128 || password.includes("\0"))
    throw invalid("wifi_mqtt.mqtt_password", "must be at most 128 bytes");
  if (password !== "" && username === "") throw invalid("wifi_mqtt.mqtt_password", "needs a user name");
}

/** Checks settings against the rules the device applies; throws `invalid_settings` naming the field. */
export function checkProvisioningSettings(settings: ProvisioningSettings): void {
  if (!DEVICE_ID.test(settings.deviceId)) throw invalid("device_id", "must be 1 to 31 of A-Z a-z 0-9 . _ -");
  if (!isP256Point(settings.gatewayCommandKey)) {
    throw invalid("gateway_command_key", "must be a P-256 point, 65 bytes starting with 04");
  }
  const interval = settings.samplingIntervalMs;
  if (!Number.isInteger(interval) || interval < MIN_SAMPLING_INTERVAL_MS || interval > MAX_SAMPLING_INTERVAL_MS) {
    throw invalid("sampling_interval_ms", `must be ${MIN_SAMPLING_INTERVAL_MS} to ${MAX_SAMPLING_INTERVAL_MS}`);
  }
  if (settings.link.kind === "wifiMqtt") checkWifiMqtt(settings.link);
}

function linkOf(link: ProvisioningLink): ProvisionRequest["link"] {
  switch (link.kind) {
    case "serial":
    case "ble":
      return { $case: link.kind, value: {} };
    case "wifiMqtt":
      return {
        $case: "wifiMqtt",
        value: {
          wifiSsid: link.wifiSsid,
          wifiPassword: link.wifiPassword,
          mqttHost: link.mqttHost,
          mqttPort: link.mqttPort,
          mqttCaCertificate: link.mqttCaCertificate ?? new Uint8Array(),
          mqttUsername: link.mqttUsername ?? "",
          mqttPassword: link.mqttPassword ?? "",
        },
      };
  }
}

/**
 * The encoded ProvisionRequest for these settings (checked first), with a fresh random nonce
 * unless one is given. These exact bytes travel in GatewayMessage.provision_request and are
 * what the device's signature covers.
 */
export function encodeProvisionRequest(
  settings: ProvisioningSettings,
  nonce: Uint8Array = randomBytes(PROVISIONING_NONCE_BYTES),
): Uint8Array {
  checkProvisioningSettings(settings);
  if (nonce.length !== PROVISIONING_NONCE_BYTES) throw invalid("nonce", `must be ${PROVISIONING_NONCE_BYTES} bytes`);
  return ProvisionRequest.encode({
    nonce,
    deviceId: settings.deviceId,
    gatewayCommandKey: settings.gatewayCommandKey,
    samplingIntervalMs: settings.samplingIntervalMs,
    link: linkOf(settings.link),
  }).finish();
}

/**
 * The bytes a device signs to answer a request: the tag, SHA-256 of the request bytes, its
 * public key and its firmware version (UTF-8). Read as protobuf, its 15th byte has wire
 * type 7, so it can never pass for a signed DeviceFrame.
 */
export function provisioningProof(requestBytes: Uint8Array, publicKey: Uint8Array, firmwareVersion: string): Uint8Array {
  return Buffer.concat([
    Buffer.from(PROVISIONING_PROOF_TAG, "ascii"),
    createHash("sha256").update(requestBytes).digest(),
    publicKey,
    Buffer.from(firmwareVersion, "utf8"),
  ]);
}

/** The lower-case result name without its prefix: "provisioned", "locked", "invalid", "failed". */
export function provisionResultName(result: ProvisionResult): string {
  return provisionResultToJSON(result)
    .replace(/^PROVISION_RESULT_/, "")
    .toLowerCase();
}

/**
 * Checks a device's answer to the request whose bytes are given (its nonce must match):
 * returns the device when it took the settings and its signature proves it holds the key it
 * reported; throws `refused` or `bad_signature` otherwise.
 */
export function verifyProvisionResponse(requestBytes: Uint8Array, response: ProvisionResponse): ProvisionedDevice {
  const request = ProvisionRequest.decode(requestBytes);
  if (response.result !== ProvisionResult.PROVISION_RESULT_PROVISIONED) {
    const result = provisionResultName(response.result);
    const detail = response.detail === "" ? "" : `: ${response.detail}`;
    throw new ProvisioningError("refused", `device ${response.deviceId || "(no id)"} refused provisioning (${result})${detail}`, {
      result,
      detail: response.detail,
      deviceId: response.deviceId,
    });
  }
  const { publicKey, signature, firmwareVersion, deviceId } = response;
  if (deviceId !== request.deviceId) {
    throw new ProvisioningError("bad_signature", `the device answered as ${deviceId}, not ${request.deviceId}`, { deviceId });
  }
  const key = p256PublicKey(publicKey);
  if (!key) throw new ProvisioningError("bad_signature", "the device's public key is no P-256 point", { deviceId });
  const proof = provisioningProof(requestBytes, publicKey, firmwareVersion);
  if (signature.length !== 64 || !verify("sha256", proof, { key, dsaEncoding: "ieee-p1363" }, signature)) {
    throw new ProvisioningError("bad_signature", `the signature of device ${deviceId} does not verify with the key it reported`, {
      deviceId,
    });
  }
  return { deviceId, publicKey: Uint8Array.from(publicKey), firmwareVersion };
}

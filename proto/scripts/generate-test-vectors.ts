// Writes proto/test-vectors/*.json: inputs and exact expected bytes that the firmware's C
// core and the TypeScript side must both reproduce or accept. Signatures are
// deterministic (RFC 6979, without low-S normalisation, as mbedTLS's deterministic ECDSA
// produces them), so regenerating gives identical files.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { p256 } from "@noble/curves/nist.js";
import {
  Channel,
  CommandResult,
  type DeviceCommand,
  DeviceFrame,
  DeviceState,
  SignedFrame,
} from "../src/gen/intelledger/device/v1/frame.js";
import { frameSha256 } from "../src/frame-digest.js";
import {
  DeviceMessage,
  FrameAck,
  FrameAckResult,
  frameAckResultToJSON,
  FrameRefusal,
  frameRefusalToJSON,
  GatewayMessage,
} from "../src/gen/intelledger/device/v1/link.js";
import { ProvisionRequest, ProvisionResponse, ProvisionResult } from "../src/gen/intelledger/device/v1/provisioning.js";
import { encodeProvisionRequest, provisioningProof, type ProvisioningSettings } from "../src/provisioning.js";
import { cobsEncode, encodeSerialPacket, MAX_SERIAL_PAYLOAD } from "../src/serial-framing.js";
import { bodyCaseOf, commandKind, frameKind, type SignedKind, type SignedVector } from "./signed-kinds.js";

const outDir = process.argv[2] ?? join(import.meta.dirname, "../test-vectors");
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

// Fixed test keys: never used outside tests.
const deviceSecret = Uint8Array.from(Buffer.from("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", "hex"));
const gatewaySecret = Uint8Array.from(Buffer.from("519b423d715f8b581f4fa8ee59f4771a5b44c8130b4e3eacca54a56dda72b464", "hex"));

function sign(message: Uint8Array, secret: Uint8Array): Uint8Array {
  return p256.sign(message, secret, { lowS: false, prehash: true });
}

function write(name: string, content: unknown): void {
  writeFileSync(join(outDir, name), `${JSON.stringify(content, null, 2)}\n`);
}

const BASE_TIME = 1_763_000_000_000;

const frames: { name: string; frame: DeviceFrame }[] = [
  {
    name: "one temperature sample",
    frame: {
      deviceId: "esp32-test-01",
      counter: 1n,
      deviceTimeMs: BASE_TIME,
      uptimeMs: 1_200,
      samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: BASE_TIME, value: 2345, scale: 2 }],
    },
  },
  {
    name: "reference node: temperature, humidity, vibration, negative value",
    frame: {
      deviceId: "esp32-test-01",
      counter: 2n,
      deviceTimeMs: BASE_TIME + 1_000,
      uptimeMs: 2_200,
      samples: [
        { channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: BASE_TIME + 1_000, value: -1250, scale: 2 },
        { channel: Channel.CHANNEL_HUMIDITY, index: 0, timestampMs: BASE_TIME + 1_000, value: 456, scale: 1 },
        { channel: Channel.CHANNEL_VIBRATION, index: 0, timestampMs: BASE_TIME + 1_000, value: 213, scale: 3 },
      ],
    },
  },
  {
    name: "sixteen analog samples (the most a frame holds)",
    frame: {
      deviceId: "esp32-test-01",
      counter: 3n,
      deviceTimeMs: BASE_TIME + 2_000,
      uptimeMs: 3_200,
      samples: Array.from({ length: 16 }, (_, i) => ({
        channel: Channel.CHANNEL_ANALOG,
        index: i % 4,
        timestampMs: BASE_TIME + 2_000 + i * 10,
        value: 4095 - i * 200,
        scale: 0,
      })),
    },
  },
  {
    name: "no device time yet, status only",
    frame: {
      deviceId: "esp32-test-01",
      counter: 4n,
      deviceTimeMs: 0,
      uptimeMs: 450,
      samples: [],
      status: {
        firmwareVersion: "1.0.0",
        state: DeviceState.DEVICE_STATE_READY,
        bufferedReadings: 12,
        samplingIntervalMs: 1000,
        freeHeapBytes: 171_000,
        rssiDbm: -61,
        droppedReadings: 0,
      },
    },
  },
  {
    name: "command acknowledgement",
    frame: {
      deviceId: "esp32-test-01",
      counter: 5n,
      deviceTimeMs: BASE_TIME + 3_000,
      uptimeMs: 4_200,
      samples: [],
      commandAck: { commandId: 7, result: CommandResult.COMMAND_RESULT_APPLIED },
    },
  },
];

/** A valid vector: the message signed with `secret`, then sealed and carried as its kind says. */
function signedVector<T, Field extends string, Sender extends string>(
  name: string,
  message: T,
  secret: Uint8Array,
  kind: SignedKind<T, Field, Sender>,
): SignedVector<Field, Sender> {
  const encoded = kind.codec.encode(message).finish();
  const signature = sign(encoded, secret);
  // TypeScript types a key computed from the kind as any string: the casts name the keys it makes.
  const sealed = { [kind.field]: encoded, signature } as Record<Field, Uint8Array> & { signature: Uint8Array };
  const signed = kind.envelope.encode(sealed).finish();
  const bodyCase = bodyCaseOf(kind.field);
  const carried = kind.carrier.encode({ body: { $case: bodyCase, value: signed } }).finish();
  return {
    name,
    [kind.field]: kind.codec.toJSON(message),
    [`${kind.field}Hex`]: hex(encoded),
    signatureHex: hex(signature),
    [`${bodyCase}Hex`]: hex(signed),
    [`${kind.sender}MessageHex`]: hex(carried),
    serialWireHex: hex(encodeSerialPacket(carried)),
  } as SignedVector<Field, Sender>;
}

const validFrames = frames.map(({ name, frame }) => signedVector(name, frame, deviceSecret, frameKind));
const firstValid = validFrames[0] as (typeof validFrames)[number];
const flipped = Buffer.from(firstValid.signatureHex, "hex");
flipped[10] = (flipped[10] as number) ^ 0x01;
write("device-frames.json", {
  description:
    "Signed device frames. frameHex is the nanopb/ts-proto encoding of frame (both must produce it byte for byte); signatureHex is ECDSA P-256 over SHA-256(frameHex) with the device key, deterministic per RFC 6979 without low-S normalisation; signedFrameHex is what MQTT carries; deviceMessageHex is the DeviceMessage carrying it on serial and BLE, and serialWireHex that message framed for serial.",
  devicePrivateKeyHex: hex(deviceSecret),
  devicePublicKeyHex: hex(p256.getPublicKey(deviceSecret, false)),
  valid: validFrames,
  invalid: [
    {
      name: "signature with one bit flipped",
      reason: "bad_signature",
      signedFrameHex: hex(SignedFrame.encode({ frame: Buffer.from(firstValid.frameHex, "hex"), signature: flipped }).finish()),
    },
    {
      name: "frame changed after signing (counter 1 -> 9)",
      reason: "bad_signature",
      signedFrameHex: hex(
        SignedFrame.encode({
          frame: DeviceFrame.encode({ ...(frames[0] as { frame: DeviceFrame }).frame, counter: 9n }).finish(),
          signature: Buffer.from(firstValid.signatureHex, "hex"),
        }).finish(),
      ),
    },
  ],
});

const commands: { name: string; command: DeviceCommand }[] = [
  {
    name: "set sampling interval",
    command: {
      deviceId: "esp32-test-01",
      commandId: 7,
      issuedAtMs: BASE_TIME + 2_500,
      action: { $case: "setSamplingInterval", value: { intervalMs: 500 } },
    },
  },
  {
    name: "set thresholds",
    command: {
      deviceId: "esp32-test-01",
      commandId: 8,
      issuedAtMs: BASE_TIME + 2_600,
      action: {
        $case: "setThresholds",
        value: {
          thresholds: [
            { channel: Channel.CHANNEL_TEMPERATURE, index: 0, minValue: -2000, maxValue: 8500, scale: 2 },
            { channel: Channel.CHANNEL_VIBRATION, index: 0, minValue: 0, maxValue: 1500, scale: 3 },
          ],
        },
      },
    },
  },
  {
    name: "reboot",
    command: { deviceId: "esp32-test-01", commandId: 9, issuedAtMs: BASE_TIME + 2_700, action: { $case: "reboot", value: {} } },
  },
];

write("device-commands.json", {
  description:
    "Signed gateway commands. commandHex is the encoding of command; signatureHex is ECDSA P-256 over SHA-256(commandHex) with the gateway command key, deterministic per RFC 6979 without low-S normalisation; signedCommandHex is what MQTT carries; gatewayMessageHex is the GatewayMessage carrying it on serial and BLE, and serialWireHex that message framed for serial.",
  gatewayPrivateKeyHex: hex(gatewaySecret),
  gatewayPublicKeyHex: hex(p256.getPublicKey(gatewaySecret, false)),
  valid: commands.map(({ name, command }) => signedVector(name, command, gatewaySecret, commandKind)),
});

const payloads: { name: string; payload: Uint8Array }[] = [
  { name: "one byte", payload: Uint8Array.of(0x11) },
  { name: "a single zero", payload: Uint8Array.of(0x00) },
  { name: "zeros at both ends and in the middle", payload: Uint8Array.of(0x00, 0x11, 0x00, 0x00, 0x22, 0x00) },
  { name: "253 non-zero bytes", payload: Uint8Array.from({ length: 253 }, (_, i) => (i % 255) + 1) },
  { name: "254 non-zero bytes (one full COBS block)", payload: Uint8Array.from({ length: 254 }, (_, i) => (i % 255) + 1) },
  { name: "255 non-zero bytes", payload: Uint8Array.from({ length: 255 }, (_, i) => (i % 255) + 1) },
  {
    name: `${MAX_SERIAL_PAYLOAD} bytes, the largest payload`,
    payload: Uint8Array.from({ length: MAX_SERIAL_PAYLOAD }, (_, i) => (i * 7) % 256),
  },
];
const good = encodeSerialPacket(Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
const badCrc = Uint8Array.from(good);
badCrc[2] = (badCrc[2] as number) ^ 0x40;
write("serial-framing.json", {
  description:
    "Serial framing: wire = COBS(payload || CRC-32/ISO-HDLC(payload) little-endian) || 0x00. 'cobs' pins the COBS variant (a full 254-byte block that ends the data has no trailing code byte); 'valid' must encode to wireHex exactly; each 'invalid' wire must be dropped with the given error, and the decoder must go on decoding what follows.",
  maxPayloadBytes: MAX_SERIAL_PAYLOAD,
  cobs: [
    [],
    [0x00],
    [0x00, 0x00],
    [0x11, 0x22, 0x00, 0x33],
    Array.from({ length: 254 }, (_, i) => i + 1),
    Array.from({ length: 255 }, (_, i) => (i % 254) + 1),
    [...Array.from({ length: 254 }, (_, i) => i + 1), 0x00],
  ].map((data) => ({ dataHex: hex(Uint8Array.from(data)), encodedHex: hex(cobsEncode(Uint8Array.from(data))) })),
  valid: payloads.map(({ name, payload }) => ({ name, payloadHex: hex(payload), wireHex: hex(encodeSerialPacket(payload)) })),
  invalid: [
    { name: "CRC does not match", error: "crc", wireHex: hex(badCrc) },
    { name: "COBS code points past the end", error: "cobs", wireHex: "05112200" },
    { name: "shorter than a CRC", error: "truncated", wireHex: "03112200" },
    { name: "longer than the largest packet", error: "oversized", wireHex: `${"ff".repeat(MAX_SERIAL_PAYLOAD + 100)}00` },
  ],
});

const ackCases: { name: string; frameIndex: number; ack: Omit<FrameAck, "frameSha256"> }[] = [
  {
    name: "stored",
    frameIndex: 0,
    ack: { result: FrameAckResult.FRAME_ACK_RESULT_STORED, refusal: FrameRefusal.FRAME_REFUSAL_UNSPECIFIED, retryAfterMs: 0 },
  },
  {
    name: "refused for good: a replay",
    frameIndex: 1,
    ack: { result: FrameAckResult.FRAME_ACK_RESULT_REFUSED, refusal: FrameRefusal.FRAME_REFUSAL_REPLAYED, retryAfterMs: 0 },
  },
  {
    name: "not now: over the rate, again in a second",
    frameIndex: 2,
    ack: {
      result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
      refusal: FrameRefusal.FRAME_REFUSAL_RATE_LIMITED,
      retryAfterMs: 1_000,
    },
  },
];
write("link-messages.json", {
  description:
    "Frame acknowledgements on serial and BLE. frameSha256Hex is SHA-256 of the signedFrameHex of device-frames.json's valid[frameIndex]; gatewayMessageHex is the GatewayMessage carrying the FrameAck, serialWireHex that message framed for serial.",
  frameAcks: ackCases.map(({ name, frameIndex, ack }) => {
    const signedFrame = Buffer.from((validFrames[frameIndex] as (typeof validFrames)[number]).signedFrameHex, "hex");
    const frameAck: FrameAck = { frameSha256: frameSha256(signedFrame), ...ack };
    const message = GatewayMessage.encode({ body: { $case: "frameAck", value: frameAck } }).finish();
    return {
      name,
      frameIndex,
      frameSha256Hex: hex(frameAck.frameSha256),
      result: frameAckResultToJSON(frameAck.result),
      refusal: frameRefusalToJSON(frameAck.refusal),
      retryAfterMs: frameAck.retryAfterMs,
      frameAckHex: hex(FrameAck.encode(frameAck).finish()),
      gatewayMessageHex: hex(message),
      serialWireHex: hex(encodeSerialPacket(message)),
    };
  }),
});

const FIRMWARE_VERSION = "1.0.0";
const devicePublicKey = p256.getPublicKey(deviceSecret, false);
const gatewayPublicKey = p256.getPublicKey(gatewaySecret, false);
const nonceOf = (first: number) => Uint8Array.from({ length: 32 }, (_, i) => (first + i) % 256);
/** A DER SEQUENCE of 300 bytes standing for a CA certificate (the device checks the DER framing, not X.509). */
const caCertificate = Uint8Array.from([0x30, 0x82, 0x01, 0x28, ...Array.from({ length: 296 }, (_, i) => (i * 13 + 1) % 256)]);
const baseSettings = {
  deviceId: "esp32-test-01",
  gatewayCommandKey: gatewayPublicKey,
  samplingIntervalMs: 1_000,
} satisfies Omit<ProvisioningSettings, "link">;

const provisionCases: { name: string; nonce: Uint8Array; settings: ProvisioningSettings }[] = [
  { name: "serial link", nonce: nonceOf(0), settings: { ...baseSettings, link: { kind: "serial" } } },
  { name: "BLE link", nonce: nonceOf(32), settings: { ...baseSettings, samplingIntervalMs: 500, link: { kind: "ble" } } },
  {
    name: "Wi-Fi and MQTT over TLS with the device's own credentials",
    nonce: nonceOf(64),
    settings: {
      ...baseSettings,
      samplingIntervalMs: 2_000,
      link: {
        kind: "wifiMqtt",
        wifiSsid: "plant-floor-2",
        wifiPassword: "correct horse battery",
        mqttHost: "gateway.local",
        mqttPort: 8883,
        mqttCaCertificate: caCertificate,
        mqttUsername: "esp32-test-01",
        mqttPassword: "d3v1ce-t0ken-9f2c",
      },
    },
  },
  {
    name: "open Wi-Fi, plain MQTT, no credentials",
    nonce: nonceOf(96),
    settings: {
      ...baseSettings,
      link: { kind: "wifiMqtt", wifiSsid: "lab", wifiPassword: "", mqttHost: "192.168.1.10", mqttPort: 1883 },
    },
  },
];

function provisionVector({ name, nonce, settings }: (typeof provisionCases)[number]) {
  const requestBytes = encodeProvisionRequest(settings, nonce);
  const message = GatewayMessage.encode({ body: { $case: "provisionRequest", value: requestBytes } }).finish();
  const proof = provisioningProof(requestBytes, devicePublicKey, FIRMWARE_VERSION);
  const signature = sign(proof, deviceSecret);
  const response: ProvisionResponse = {
    result: ProvisionResult.PROVISION_RESULT_PROVISIONED,
    nonce,
    deviceId: settings.deviceId,
    publicKey: devicePublicKey,
    firmwareVersion: FIRMWARE_VERSION,
    signature,
    detail: "",
  };
  const answer = DeviceMessage.encode({ body: { $case: "provisionResponse", value: response } }).finish();
  return {
    name,
    request: ProvisionRequest.toJSON(ProvisionRequest.decode(requestBytes)),
    requestHex: hex(requestBytes),
    gatewayMessageHex: hex(message),
    serialWireHex: hex(encodeSerialPacket(message)),
    proofHex: hex(proof),
    signatureHex: hex(signature),
    responseHex: hex(ProvisionResponse.encode(response).finish()),
    responseDeviceMessageHex: hex(answer),
    responseSerialWireHex: hex(encodeSerialPacket(answer)),
  };
}

/** Requests built around the checks, as a faulty or hostile tool would send them. */
function rawRequest(overrides: Partial<ProvisionRequest>): Uint8Array {
  return ProvisionRequest.encode({
    nonce: nonceOf(0),
    deviceId: baseSettings.deviceId,
    gatewayCommandKey: gatewayPublicKey,
    samplingIntervalMs: 1_000,
    link: { $case: "serial", value: {} },
    ...overrides,
  }).finish();
}
const wifi = (overrides: Partial<Extract<ProvisionRequest["link"], { $case: "wifiMqtt" }>["value"]>) =>
  rawRequest({
    link: {
      $case: "wifiMqtt",
      value: {
        wifiSsid: "lab",
        wifiPassword: "",
        mqttHost: "gateway.local",
        mqttPort: 1883,
        mqttCaCertificate: new Uint8Array(),
        mqttUsername: "",
        mqttPassword: "",
        ...overrides,
      },
    },
  });
const offCurve = Uint8Array.from(gatewayPublicKey);
offCurve[64] = (offCurve[64] as number) ^ 0x01;
const invalidRequests: { name: string; field: string; requestBytes: Uint8Array }[] = [
  { name: "not a ProvisionRequest", field: "request", requestBytes: Uint8Array.of(0xff, 0xff, 0xff) },
  { name: "nonce of 16 bytes", field: "nonce", requestBytes: rawRequest({ nonce: nonceOf(0).subarray(0, 16) }) },
  { name: "device id with a slash", field: "device_id", requestBytes: rawRequest({ deviceId: "esp32/01" }) },
  { name: "gateway key off the curve", field: "gateway_command_key", requestBytes: rawRequest({ gatewayCommandKey: offCurve }) },
  { name: "sampling every 50 ms", field: "sampling_interval_ms", requestBytes: rawRequest({ samplingIntervalMs: 50 }) },
  { name: "no link", field: "link", requestBytes: rawRequest({ link: undefined }) },
  { name: "empty SSID", field: "wifi_mqtt.wifi_ssid", requestBytes: wifi({ wifiSsid: "" }) },
  { name: "Wi-Fi password of 5 characters", field: "wifi_mqtt.wifi_password", requestBytes: wifi({ wifiPassword: "short" }) },
  { name: "broker host with a space", field: "wifi_mqtt.mqtt_host", requestBytes: wifi({ mqttHost: "gate way" }) },
  { name: "broker port 0", field: "wifi_mqtt.mqtt_port", requestBytes: wifi({ mqttPort: 0 }) },
  {
    name: "CA certificate in PEM instead of DER",
    field: "wifi_mqtt.mqtt_ca_certificate",
    requestBytes: wifi({ mqttCaCertificate: Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n") }),
  },
  {
    name: "MQTT password without a user name",
    field: "wifi_mqtt.mqtt_password",
    requestBytes: wifi({ mqttPassword: "token" }),
  },
];

write("provisioning.json", {
  description:
    "USB provisioning. requestHex is an encoded ProvisionRequest, gatewayMessageHex the GatewayMessage carrying it (serialWireHex framed). proofHex = 'IntelLedger Edge provisioning v1' || SHA-256(requestHex) || the device's public key || firmwareVersion; signatureHex is ECDSA P-256 over SHA-256(proofHex) with the device key of device-frames.json, deterministic per RFC 6979 without low-S normalisation; responseHex is the device's ProvisionResponse, responseDeviceMessageHex the DeviceMessage carrying it. Each 'invalid' request must be answered PROVISION_RESULT_INVALID with a detail starting with its field.",
  firmwareVersion: FIRMWARE_VERSION,
  valid: provisionCases.map(provisionVector),
  invalid: invalidRequests.map(({ name, field, requestBytes }) => ({ name, field, requestHex: hex(requestBytes) })),
});

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
  DeviceCommand,
  DeviceFrame,
  DeviceState,
  SignedCommand,
  SignedFrame,
} from "../src/gen/intelledger/device/v1/frame.js";
import { cobsEncode, encodeSerialPacket } from "../src/serial-framing.js";

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
      counter: 1,
      deviceTimeMs: BASE_TIME,
      uptimeMs: 1_200,
      samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: BASE_TIME, value: 2345, scale: 2 }],
    },
  },
  {
    name: "reference node: temperature, humidity, vibration, negative value",
    frame: {
      deviceId: "esp32-test-01",
      counter: 2,
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
      counter: 3,
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
      counter: 4,
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
      counter: 5,
      deviceTimeMs: BASE_TIME + 3_000,
      uptimeMs: 4_200,
      samples: [],
      commandAck: { commandId: 7, result: CommandResult.COMMAND_RESULT_APPLIED },
    },
  },
];

function signedFrameVector(name: string, frame: DeviceFrame) {
  const encoded = DeviceFrame.encode(frame).finish();
  const signature = sign(encoded, deviceSecret);
  const signed = SignedFrame.encode({ frame: encoded, signature }).finish();
  return {
    name,
    frame: DeviceFrame.toJSON(frame),
    frameHex: hex(encoded),
    signatureHex: hex(signature),
    signedFrameHex: hex(signed),
    serialWireHex: hex(encodeSerialPacket(signed)),
  };
}

const validFrames = frames.map(({ name, frame }) => signedFrameVector(name, frame));
const firstValid = validFrames[0] as (typeof validFrames)[number];
const flipped = Buffer.from(firstValid.signatureHex, "hex");
flipped[10] = (flipped[10] as number) ^ 0x01;
write("device-frames.json", {
  description:
    "Signed device frames. frameHex is the nanopb/ts-proto encoding of frame (both must produce it byte for byte); signatureHex is ECDSA P-256 over SHA-256(frameHex) with the device key, deterministic per RFC 6979 without low-S normalisation; serialWireHex is signedFrameHex framed for serial.",
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
          frame: DeviceFrame.encode({ ...(frames[0] as { frame: DeviceFrame }).frame, counter: 9 }).finish(),
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
    "Signed gateway commands. commandHex is the encoding of command; signatureHex is ECDSA P-256 over SHA-256(commandHex) with the gateway command key, deterministic per RFC 6979 without low-S normalisation; serialWireHex is signedCommandHex framed for serial.",
  gatewayPrivateKeyHex: hex(gatewaySecret),
  gatewayPublicKeyHex: hex(p256.getPublicKey(gatewaySecret, false)),
  valid: commands.map(({ name, command }) => {
    const encoded = DeviceCommand.encode(command).finish();
    const signature = sign(encoded, gatewaySecret);
    const signed = SignedCommand.encode({ command: encoded, signature }).finish();
    return {
      name,
      command: DeviceCommand.toJSON(command),
      commandHex: hex(encoded),
      signatureHex: hex(signature),
      signedCommandHex: hex(signed),
      serialWireHex: hex(encodeSerialPacket(signed)),
    };
  }),
});

const payloads: { name: string; payload: Uint8Array }[] = [
  { name: "one byte", payload: Uint8Array.of(0x11) },
  { name: "a single zero", payload: Uint8Array.of(0x00) },
  { name: "zeros at both ends and in the middle", payload: Uint8Array.of(0x00, 0x11, 0x00, 0x00, 0x22, 0x00) },
  { name: "253 non-zero bytes", payload: Uint8Array.from({ length: 253 }, (_, i) => (i % 255) + 1) },
  { name: "254 non-zero bytes (one full COBS block)", payload: Uint8Array.from({ length: 254 }, (_, i) => (i % 255) + 1) },
  { name: "255 non-zero bytes", payload: Uint8Array.from({ length: 255 }, (_, i) => (i % 255) + 1) },
  { name: "512 bytes, the largest payload", payload: Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256) },
];
const good = encodeSerialPacket(Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
const badCrc = Uint8Array.from(good);
badCrc[2] = (badCrc[2] as number) ^ 0x40;
write("serial-framing.json", {
  description:
    "Serial framing: wire = COBS(payload || CRC-32/ISO-HDLC(payload) little-endian) || 0x00. 'cobs' pins the COBS variant (a full 254-byte block that ends the data has no trailing code byte); 'valid' must encode to wireHex exactly; each 'invalid' wire must be dropped with the given error, and the decoder must go on decoding what follows.",
  maxPayloadBytes: 512,
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
    { name: "longer than the largest packet", error: "oversized", wireHex: `${"ff".repeat(600)}00` },
  ],
});

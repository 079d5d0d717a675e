import { execFileSync } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  bodyCaseOf,
  commandKind,
  frameKind,
  type SignedKind,
  type SignedVector,
  type SignedVectorHex,
} from "../scripts/signed-kinds.js";
import {
  DeviceFrame,
  DeviceMessage,
  FrameAck,
  frameSha256,
  GatewayMessage,
  ProvisionRequest,
  ProvisionResponse,
  SignedFrame,
} from "./device.js";
import {
  checkProvisioningSettings,
  provisioningProof,
  verifyProvisionResponse,
  type ProvisioningSettings,
} from "./provisioning.js";
import { cobsDecode, cobsEncode, encodeSerialPacket, SerialPacketDecoder } from "./serial-framing.js";

const vectorsDir = join(import.meta.dirname, "../test-vectors");
const load = <T>(name: string): T => JSON.parse(readFileSync(join(vectorsDir, name), "utf8")) as T;
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const hex = (data: Uint8Array) => Buffer.from(data).toString("hex");

function p256Key(pointHex: string) {
  const point = Buffer.from(pointHex, "hex");
  return createPublicKey({
    key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
    format: "jwk",
  });
}

function verifies(message: Uint8Array, signature: Uint8Array, pointHex: string): boolean {
  return verify("sha256", message, { key: p256Key(pointHex), dsaEncoding: "ieee-p1363" }, signature);
}

interface SerialVectors {
  cobs: { dataHex: string; encodedHex: string }[];
  valid: { name: string; payloadHex: string; wireHex: string }[];
  invalid: { name: string; error: string; wireHex: string }[];
}
interface FrameVectors {
  devicePublicKeyHex: string;
  valid: SignedVector<"frame", "device">[];
  invalid: { name: string; reason: string; signedFrameHex: string }[];
}
interface CommandVectors {
  gatewayPublicKeyHex: string;
  valid: SignedVector<"command", "gateway">[];
}
interface LinkVectors {
  frameAcks: {
    name: string;
    frameIndex: number;
    frameSha256Hex: string;
    result: string;
    refusal: string;
    retryAfterMs: number;
    frameAckHex: string;
    gatewayMessageHex: string;
    serialWireHex: string;
  }[];
}
interface ProvisioningVectors {
  firmwareVersion: string;
  valid: {
    name: string;
    requestHex: string;
    gatewayMessageHex: string;
    serialWireHex: string;
    proofHex: string;
    signatureHex: string;
    responseHex: string;
    responseDeviceMessageHex: string;
    responseSerialWireHex: string;
  }[];
  invalid: { name: string; field: string; requestHex: string }[];
}

/** The payload of the one packet in a wire vector. */
function payloadOf(wireHex: string): string | undefined {
  const [packet] = new SerialPacketDecoder().push(bytes(wireHex));
  return packet?.ok ? hex(packet.payload) : undefined;
}

function checkSignedVectors<T, Field extends string, Sender extends string>(
  vectors: SignedVector<Field, Sender>[],
  publicKeyHex: string,
  kind: SignedKind<T, Field, Sender>,
): void {
  const bodyCase = bodyCaseOf(kind.field);
  for (const vector of vectors) {
    // Through this type TypeScript knows that each key computed from the kind holds a string.
    const hexes: SignedVectorHex<Field, Sender> = vector;
    const messageHex = hexes[`${kind.field}Hex`];
    const signedHex = hexes[`${bodyCase}Hex`];
    const carrierHex = hexes[`${kind.sender}MessageHex`];
    expect(hex(kind.codec.encode(kind.codec.fromJSON(vector[kind.field])).finish()), vector.name).toBe(messageHex);
    const signed = kind.envelope.decode(bytes(signedHex));
    expect(hex(signed[kind.field])).toBe(messageHex);
    expect(hex(signed.signature)).toBe(vector.signatureHex);
    expect(verifies(signed[kind.field], signed.signature, publicKeyHex), vector.name).toBe(true);
    const { body } = kind.carrier.decode(bytes(carrierHex));
    // Only the signed<Field> case holds bytes, so the value is bytes where the case matches.
    expect(body?.$case === bodyCase && hex(body.value as Uint8Array), vector.name).toBe(signedHex);
    expect(payloadOf(vector.serialWireHex)).toBe(carrierHex);
  }
}

describe("serial framing vectors", () => {
  const vectors = load<SerialVectors>("serial-framing.json");

  it("COBS encodes and decodes each case exactly", () => {
    for (const { dataHex, encodedHex } of vectors.cobs) {
      expect(hex(cobsEncode(bytes(dataHex))), dataHex).toBe(encodedHex);
      expect(hex(cobsDecode(bytes(encodedHex)) ?? Uint8Array.of()), encodedHex).toBe(dataHex);
    }
  });

  it("frames each payload to the exact wire bytes", () => {
    for (const { name, payloadHex, wireHex } of vectors.valid)
      expect(hex(encodeSerialPacket(bytes(payloadHex))), name).toBe(wireHex);
  });

  it("recovers every payload from one stream with garbage and bad packets in between", () => {
    const decoder = new SerialPacketDecoder();
    const results = vectors.valid.flatMap(({ wireHex }, i) => {
      const bad = vectors.invalid[i % vectors.invalid.length] as SerialVectors["invalid"][number];
      // A torn packet with no delimiter before the bad one, then the bad one, then a good one.
      return [...decoder.push(bytes("a1b2c3")), ...decoder.push(bytes(bad.wireHex)), ...decoder.push(bytes(wireHex))];
    });
    const payloads = results.filter((result) => result.ok).map((result) => hex(result.payload));
    expect(payloads).toEqual(vectors.valid.map((vector) => vector.payloadHex));
  });

  it("drops each invalid packet with its reason", () => {
    for (const { name, error, wireHex } of vectors.invalid) {
      const [result] = new SerialPacketDecoder().push(bytes(wireHex));
      expect(result?.ok === false && result.error, name).toBe(error);
    }
  });
});

describe("device frame vectors", () => {
  const vectors = load<FrameVectors>("device-frames.json");

  it("encode byte for byte, carry the signed bytes unchanged, and verify", () => {
    checkSignedVectors(vectors.valid, vectors.devicePublicKeyHex, frameKind);
  });

  it("tampered frames do not verify", () => {
    for (const vector of vectors.invalid) {
      const signed = SignedFrame.decode(bytes(vector.signedFrameHex));
      expect(verifies(signed.frame, signed.signature, vectors.devicePublicKeyHex), vector.name).toBe(false);
    }
  });
});

describe("device command vectors", () => {
  const vectors = load<CommandVectors>("device-commands.json");

  it("encode byte for byte and verify with the gateway key", () => {
    checkSignedVectors(vectors.valid, vectors.gatewayPublicKeyHex, commandKind);
  });
});

describe("frame acknowledgement vectors", () => {
  const frames = load<FrameVectors>("device-frames.json");
  const vectors = load<LinkVectors>("link-messages.json");

  it("name their frame by SHA-256 of its SignedFrame bytes and encode byte for byte", () => {
    for (const vector of vectors.frameAcks) {
      const frame = frames.valid[vector.frameIndex];
      expect(frame, vector.name).toBeDefined();
      expect(hex(frameSha256(bytes(frame?.signedFrameHex ?? "")))).toBe(vector.frameSha256Hex);
      const ack = FrameAck.fromJSON({ ...vector, frameSha256: Buffer.from(vector.frameSha256Hex, "hex").toString("base64") });
      expect(hex(FrameAck.encode(ack).finish()), vector.name).toBe(vector.frameAckHex);
      const message = GatewayMessage.decode(bytes(vector.gatewayMessageHex));
      expect(message.body?.$case === "frameAck" && hex(FrameAck.encode(message.body.value).finish())).toBe(vector.frameAckHex);
      expect(payloadOf(vector.serialWireHex)).toBe(vector.gatewayMessageHex);
    }
  });
});

/** The settings a request carries, in the technician-side form. */
function settingsOf(request: ProvisionRequest): ProvisioningSettings {
  const base = {
    deviceId: request.deviceId,
    gatewayCommandKey: request.gatewayCommandKey,
    samplingIntervalMs: request.samplingIntervalMs,
  };
  const link = request.link;
  if (link?.$case === "wifiMqtt") return { ...base, link: { kind: "wifiMqtt", ...link.value } };
  return { ...base, link: { kind: link?.$case ?? "serial" } };
}

describe("provisioning vectors", () => {
  const frames = load<FrameVectors>("device-frames.json");
  const vectors = load<ProvisioningVectors>("provisioning.json");

  it("carry each request in a GatewayMessage and its answer in a DeviceMessage, byte for byte", () => {
    for (const vector of vectors.valid) {
      const message = GatewayMessage.decode(bytes(vector.gatewayMessageHex));
      expect(message.body?.$case === "provisionRequest" && hex(message.body.value), vector.name).toBe(vector.requestHex);
      expect(payloadOf(vector.serialWireHex)).toBe(vector.gatewayMessageHex);
      const answer = DeviceMessage.decode(bytes(vector.responseDeviceMessageHex));
      expect(answer.body?.$case === "provisionResponse" && hex(ProvisionResponse.encode(answer.body.value).finish())).toBe(
        vector.responseHex,
      );
      expect(payloadOf(vector.responseSerialWireHex)).toBe(vector.responseDeviceMessageHex);
    }
  });

  it("sign the documented proof with the device key, and the technician's check accepts the answer", () => {
    for (const vector of vectors.valid) {
      const response = ProvisionResponse.decode(bytes(vector.responseHex));
      const proof = provisioningProof(bytes(vector.requestHex), response.publicKey, vectors.firmwareVersion);
      expect(hex(proof), vector.name).toBe(vector.proofHex);
      expect(verifies(proof, bytes(vector.signatureHex), frames.devicePublicKeyHex)).toBe(true);
      expect(hex(verifyProvisionResponse(bytes(vector.requestHex), response).publicKey)).toBe(frames.devicePublicKeyHex);
    }
  });

  it("the proof can never pass for a DeviceFrame", () => {
    for (const vector of vectors.valid)
      expect(() => DeviceFrame.decode(bytes(vector.proofHex)), vector.name).toThrow(/wire type 7/);
  });

  it("the technician's side refuses each invalid request's settings, naming the same field", () => {
    for (const vector of vectors.invalid) {
      if (vector.field === "request" || vector.field === "nonce" || vector.field === "link") continue; // no settings object can express these
      const settings = settingsOf(ProvisionRequest.decode(bytes(vector.requestHex)));
      expect(() => checkProvisioningSettings(settings), vector.name).toThrow(
        expect.objectContaining({ details: { field: vector.field } }),
      );
    }
  });
});

describe("test vector files", () => {
  const scratch = mkdtempSync(join(tmpdir(), "vectors-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("are exactly what scripts/generate-test-vectors.ts writes", () => {
    execFileSync(process.execPath, ["--import", "tsx", "scripts/generate-test-vectors.ts", scratch], {
      cwd: join(vectorsDir, ".."),
    });
    const files = readdirSync(vectorsDir).sort();
    expect(readdirSync(scratch).sort()).toEqual(files);
    for (const file of files)
      expect(readFileSync(join(scratch, file), "utf8"), file).toBe(readFileSync(join(vectorsDir, file), "utf8"));
  });
});

import { DeviceMessage, FrameAckResult, FrameRefusal, frameSha256, GatewayMessage } from "@intelledger/proto/device";
import { encodeSerialPacket, SerialPacketDecoder } from "@intelledger/proto/serial";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REJECTION_REASONS } from "../acceptance/frame-acceptor.js";
import { GatewayError } from "../errors.js";
import { SimulatedDevice } from "@intelledger/test-support";
import { FramedLink, frameRefusalOf } from "./framed-link.js";
import { noFramingErrors } from "./framed-packets.js";
import type { FrameHandler, IncomingFrame, IngestOutcome } from "./frame-transport.js";

/** A link whose handler the test controls, and the GatewayMessages it wrote. */
function linkWith(handle: (frame: IncomingFrame) => Promise<IngestOutcome>) {
  const written: GatewayMessage[] = [];
  const calls: IncomingFrame[] = [];
  const decoder = new SerialPacketDecoder();
  const handler: FrameHandler = (frame) => {
    calls.push(frame);
    return handle(frame);
  };
  const link = new FramedLink({
    transport: "serial",
    framingErrors: noFramingErrors(),
    handler: () => handler,
    write: (bytes) => {
      for (const packet of decoder.push(bytes)) if (packet.ok) written.push(GatewayMessage.decode(packet.payload));
      return Promise.resolve();
    },
    logger: pino({ level: "silent" }),
  });
  const send = (signedFrame: Uint8Array) =>
    link.push(encodeSerialPacket(DeviceMessage.encode({ body: { $case: "signedFrame", value: signedFrame } }).finish()));
  return { link, written, calls, send };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
const acks = (written: GatewayMessage[]) =>
  written.flatMap((message) => (message.body?.$case === "frameAck" ? [message.body.value] : []));

describe("serial and BLE framed link", () => {
  it("names every rejection reason of the gateway on the wire", () => {
    for (const reason of REJECTION_REASONS)
      expect(frameRefusalOf(reason), reason).not.toBe(FrameRefusal.FRAME_REFUSAL_UNSPECIFIED);
    expect(frameRefusalOf("storage_full")).toBe(FrameRefusal.FRAME_REFUSAL_STORAGE_FULL);
    expect(frameRefusalOf("something_new")).toBe(FrameRefusal.FRAME_REFUSAL_UNSPECIFIED);
  });

  it("answers a frame once the handler settles, naming it by SHA-256 of its bytes", async () => {
    const device = new SimulatedDevice("link-1");
    const frame = device.nextFrameBytes();
    let durable: (() => void) | undefined;
    const { written, send } = linkWith(
      () => new Promise((resolve) => (durable = () => resolve({ accepted: true, deviceId: "link-1" }))),
    );
    send(frame);
    await settle();
    expect(written).toEqual([]);
    durable?.();
    await settle();
    expect(acks(written)).toEqual([
      {
        frameSha256: frameSha256(frame),
        result: FrameAckResult.FRAME_ACK_RESULT_STORED,
        refusal: FrameRefusal.FRAME_REFUSAL_UNSPECIFIED,
        retryAfterMs: 0,
      },
    ]);
  });

  it("hands a copy of a frame still being handled to no one: the first copy's answer covers it", async () => {
    const device = new SimulatedDevice("link-2");
    const frame = device.nextFrameBytes();
    let durable: (() => void) | undefined;
    const { written, calls, send } = linkWith(
      () => new Promise((resolve) => (durable = () => resolve({ accepted: true, deviceId: "link-2" }))),
    );
    send(frame);
    send(frame);
    await settle();
    expect(calls).toHaveLength(1);
    durable?.();
    await settle();
    expect(acks(written)).toHaveLength(1);
    send(frame); // once answered, a copy is a frame again (the gateway refuses it as a replay)
    await settle();
    expect(calls).toHaveLength(2);
  });

  it("says not now when the handler cannot take a frame, with the gateway's reason and hint", async () => {
    const device = new SimulatedDevice("link-3");
    const failures = [
      new GatewayError("frame not taken now", { reason: "rate_limited", retryAfterMs: 250 }),
      new GatewayError("frame not taken now", { reason: "quarantined", retryAfterMs: 1_234.4 }),
      new GatewayError("disk quota reached; frame not taken", { reason: "storage_full", retryAfterMs: 5_000 }),
      new Error("SQLITE_IOERR"),
    ];
    const { written, send } = linkWith(() => Promise.reject(failures.shift() ?? new Error("no more")));
    for (let i = 0; i < 4; i++) send(device.nextFrameBytes());
    await settle();
    expect(acks(written).map(({ result, refusal, retryAfterMs }) => ({ result, refusal, retryAfterMs }))).toEqual([
      {
        result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
        refusal: FrameRefusal.FRAME_REFUSAL_RATE_LIMITED,
        retryAfterMs: 250,
      },
      {
        result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
        refusal: FrameRefusal.FRAME_REFUSAL_QUARANTINED,
        retryAfterMs: 1_234,
      },
      {
        result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
        refusal: FrameRefusal.FRAME_REFUSAL_STORAGE_FULL,
        retryAfterMs: 5_000,
      },
      {
        result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
        refusal: FrameRefusal.FRAME_REFUSAL_GATEWAY_UNAVAILABLE,
        retryAfterMs: 2_000,
      },
    ]);
  });

  it("refuses for good with the reason the handler gave", async () => {
    const device = new SimulatedDevice("link-4");
    const { written, send } = linkWith(() =>
      Promise.resolve({ accepted: false, reason: "bad_signature", detail: "does not verify", deviceId: "link-4" }),
    );
    send(device.nextFrameBytes());
    await settle();
    expect(acks(written)[0]).toMatchObject({
      result: FrameAckResult.FRAME_ACK_RESULT_REFUSED,
      refusal: FrameRefusal.FRAME_REFUSAL_BAD_SIGNATURE,
    });
  });

  it("passes bytes that are no DeviceMessage on to be counted as malformed, and answers nothing", async () => {
    const { written, calls, link } = linkWith(() =>
      Promise.resolve({ accepted: false, reason: "malformed", detail: "not a SignedFrame" }),
    );
    link.push(encodeSerialPacket(Uint8Array.of(0xff, 0xff, 0xff)));
    await settle();
    expect(calls.map((call) => Buffer.from(call.bytes).toString("hex"))).toEqual(["ffffff"]);
    expect(written).toEqual([]);
  });

  it("never interleaves two packets written at once", async () => {
    const chunks: Uint8Array[] = [];
    const link = new FramedLink({
      transport: "ble",
      framingErrors: noFramingErrors(),
      handler: () => undefined,
      write: async (bytes) => {
        for (let offset = 0; offset < bytes.length; offset += 20) {
          chunks.push(bytes.subarray(offset, offset + 20));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
      logger: pino({ level: "silent" }),
    });
    const commands = [Uint8Array.from({ length: 100 }, () => 1), Uint8Array.from({ length: 100 }, () => 2)];
    await Promise.all(commands.map((command) => link.sendCommand(command)));
    const decoded = new SerialPacketDecoder().push(Buffer.concat(chunks));
    expect(decoded.map((packet) => packet.ok && GatewayMessage.decode(packet.payload).body?.$case)).toEqual([
      "signedCommand",
      "signedCommand",
    ]);
  });
});

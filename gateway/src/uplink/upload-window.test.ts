import { EventEmitter } from "node:events";
import { status } from "@grpc/grpc-js";
import type { UploadRequest, UploadResponse } from "@intelledger/proto/relay";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outboxFixture, standInProof, type OutboxFixture } from "../../test/outbox-fixture.js";
import { BatchGoneError } from "../batch/batch-outbox.js";
import { UploadProtocolError, UploadWindow, type UploadCall } from "./upload-window.js";

/** The client side of an upload stream, driven by the test: what the gateway wrote, and the relay's answers. */
class FakeUploadCall extends EventEmitter {
  readonly written: UploadRequest[] = [];
  cancelled = false;

  write(request: UploadRequest): boolean {
    this.written.push(request);
    return true;
  }

  cancel(): void {
    this.cancelled = true;
  }

  answer(message: UploadResponse["message"]): void {
    this.emit("data", { message });
  }

  ack(sequence: number): void {
    this.answer({ $case: "ack", value: { sequence, batchHash: new Uint8Array(32) } });
  }

  batchesSent(): number[] {
    return this.written.flatMap((request) =>
      request.message?.$case === "batch" ? [request.message.value.batch?.sequence ?? 0] : [],
    );
  }

  proofsSent(): number[] {
    return this.written.flatMap((request) => (request.message?.$case === "proof" ? [request.message.value.sequence] : []));
  }
}

let fixture: OutboxFixture;
let call: FakeUploadCall;
const acked: [number, number][] = [];

beforeEach(() => {
  fixture = outboxFixture();
  call = new FakeUploadCall();
  acked.length = 0;
});

afterEach(() => fixture.db.close());

function windowFrom(resumeAt: number, maxInFlight: number) {
  const window = new UploadWindow({
    call: call as unknown as UploadCall,
    outbox: fixture.outbox,
    resumeAt,
    maxInFlight,
    onAcked: (sequence, readings) => acked.push([sequence, readings]),
    logger: pino({ level: "silent" }),
  });
  const ended = window.run();
  ended.catch(() => undefined);
  return { window, ended };
}

describe("the upload window", () => {
  it("keeps at most the allowed batches unacknowledged, in sequence order, from where the relay's record ends", async () => {
    for (let i = 0; i < 6; i++) await fixture.seal(i + 1);
    const { window } = windowFrom(2, 2);
    expect(call.batchesSent()).toEqual([2, 3]);
    expect(window.inFlight).toBe(2);
    call.ack(2);
    expect(call.batchesSent()).toEqual([2, 3, 4]);
    expect(acked).toEqual([[2, 2]]);
    // The relay widens the window.
    call.answer({ $case: "flowControl", value: { maxInFlight: 4 } });
    expect(call.batchesSent()).toEqual([2, 3, 4, 5, 6]);
    call.ack(3);
    expect(call.batchesSent()).toEqual([2, 3, 4, 5, 6]);
    await fixture.seal(1);
    window.pump();
    expect(call.batchesSent()).toEqual([2, 3, 4, 5, 6, 7]);
    const sent = call.written[0]?.message;
    expect(sent?.$case === "batch" && sent.value.batch?.readings.length).toBe(2);
  });

  it("sends proofs after their batches, within the window, and records the relay's verdicts", async () => {
    for (let i = 0; i < 3; i++) await fixture.seal(1);
    for (const sequence of [1, 2, 3]) fixture.outbox.recordProof(sequence, standInProof(sequence));
    const { window } = windowFrom(1, 2);
    // Batch 3 is not sent yet, so neither is its proof.
    expect(call.proofsSent()).toEqual([1, 2]);
    call.answer({ $case: "proofAck", value: { sequence: 1, valid: true, alreadyRecorded: false } });
    call.answer({ $case: "proofAck", value: { sequence: 2, valid: false, alreadyRecorded: false } });
    expect(fixture.outbox.proofTotals()).toEqual({ proved: 3, uploaded: 2, invalid: 1 });
    call.ack(1);
    window.pump();
    expect(call.batchesSent()).toEqual([1, 2, 3]);
    expect(call.proofsSent()).toEqual([1, 2, 3]);
  });

  it("acknowledges in the outbox what the relay acked, written when the stream ends", async () => {
    for (let i = 0; i < 3; i++) await fixture.seal(1);
    const { ended } = windowFrom(1, 4);
    call.ack(1);
    call.ack(2);
    call.emit("error", Object.assign(new Error("14 UNAVAILABLE: relay gone"), { code: status.UNAVAILABLE }));
    await expect(ended).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(fixture.outbox.from(1, 3).map((batch) => batch.state)).toEqual(["acknowledged", "acknowledged", "sealed"]);
  });

  it("ends the stream on an ack out of order or a verdict on a proof not sent", async () => {
    for (let i = 0; i < 3; i++) await fixture.seal(1);
    const first = windowFrom(1, 4);
    call.ack(2);
    await expect(first.ended).rejects.toThrow(UploadProtocolError);
    expect(call.cancelled).toBe(true);
    expect(fixture.outbox.get(2)?.state).toBe("sealed");

    call = new FakeUploadCall();
    const second = windowFrom(1, 4);
    call.answer({ $case: "proofAck", value: { sequence: 1, valid: true, alreadyRecorded: false } });
    await expect(second.ended).rejects.toThrow("the relay judged a proof that was not sent");
  });

  it("ends when the relay closes the stream, and when it asks for a batch whose readings are gone", async () => {
    await fixture.seal(1);
    const closed = windowFrom(1, 4);
    call.emit("end");
    await expect(closed.ended).rejects.toThrow("the relay closed the upload stream");

    fixture.outbox.acknowledgeThrough(1);
    fixture.outbox.release([fixture.outbox.get(1)!]);
    call = new FakeUploadCall();
    await expect(windowFrom(1, 4).ended).rejects.toThrow(BatchGoneError);
    expect(call.cancelled).toBe(true);
  });
});

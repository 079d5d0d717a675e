import { FrameAckResult, FrameRefusal, type FrameAck } from "@intelledger/proto/device";
import type { FramedDeviceEnd } from "@intelledger/test-support";
import type { ContractDevice, LinkAnswer } from "./frame-transport-contract.js";

/** The refusal a FrameAck names, as the gateway's reason (FRAME_REFUSAL_RATE_LIMITED is rate_limited). */
function refusalOf(ack: FrameAck): string {
  return FrameRefusal[ack.refusal].replace(/^FRAME_REFUSAL_/, "").toLowerCase();
}

/** A FrameAck of the serial and BLE links as the frame transport contract sees it. */
function contractAnswer(ack: FrameAck | undefined): LinkAnswer {
  if (!ack) return { kind: "none" };
  switch (ack.result) {
    case FrameAckResult.FRAME_ACK_RESULT_STORED:
      return { kind: "acknowledged" };
    case FrameAckResult.FRAME_ACK_RESULT_REFUSED:
      return { kind: "acknowledged", refusal: refusalOf(ack) };
    case FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER:
      return { kind: "not_now", refusal: refusalOf(ack), retryAfterMs: ack.retryAfterMs };
    case FrameAckResult.FRAME_ACK_RESULT_UNSPECIFIED:
    case FrameAckResult.UNRECOGNIZED:
      return { kind: "none" };
  }
}

/**
 * A device speaking the serial framing (over a serial line or BLE) for the frame transport
 * contract. A frame that cannot be written (the link is down) goes unanswered, as on a device.
 */
export function framedContractDevice(end: FramedDeviceEnd, close: () => Promise<void>): ContractDevice {
  return {
    send(signedFrame) {
      let sent: ReturnType<FramedDeviceEnd["sendFrame"]>;
      try {
        sent = end.sendFrame(signedFrame);
      } catch {
        return { answered: () => Promise.resolve({ kind: "none" }) };
      }
      return {
        answered: (timeoutMs) => sent.answered(timeoutMs).then(contractAnswer, (): LinkAnswer => ({ kind: "none" })),
      };
    },
    nextCommand: (timeoutMs) => end.nextCommand(timeoutMs),
    close,
  };
}

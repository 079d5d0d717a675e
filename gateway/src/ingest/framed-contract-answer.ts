import { FrameAckResult, FrameRefusal, type FrameAck } from "@intelledger/proto/device";
import type { LinkAnswer } from "./frame-transport-contract.js";

/** A FrameAck of the serial and BLE links as the frame transport contract sees it. */
export function contractAnswer(ack: FrameAck | undefined): LinkAnswer {
  if (!ack) return { kind: "none" };
  const refusal = FrameRefusal[ack.refusal].replace(/^FRAME_REFUSAL_/, "").toLowerCase();
  switch (ack.result) {
    case FrameAckResult.FRAME_ACK_RESULT_STORED:
      return { kind: "acknowledged" };
    case FrameAckResult.FRAME_ACK_RESULT_REFUSED:
      return { kind: "acknowledged", refusal };
    case FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER:
      return { kind: "not_now", retryAfterMs: ack.retryAfterMs };
    case FrameAckResult.FRAME_ACK_RESULT_UNSPECIFIED:
    case FrameAckResult.UNRECOGNIZED:
      return { kind: "none" };
  }
}

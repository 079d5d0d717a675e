import type {
  BridgeChannel,
  BridgeError,
  BridgeEvent,
  BridgeInput,
  BridgeOutputs,
  ConsoleBridge,
} from "../shared/bridge-types.js";

declare global {
  interface Window {
    consoleBridge?: ConsoleBridge;
  }
}

/** A request the main process refused or that failed: its message, and what to do next. */
export class BridgeFailure extends Error {
  readonly detail: BridgeError;

  constructor(detail: BridgeError) {
    super(detail.message);
    this.detail = detail;
  }
}

function bridge(): ConsoleBridge {
  const found = window.consoleBridge;
  if (!found) throw new Error("this page runs outside the console: start the IntelLedger Edge console app");
  return found;
}

/** Sends one request over the bridge; resolves with its answer or rejects with a BridgeFailure. */
export async function request<C extends BridgeChannel>(channel: C, input: BridgeInput<C>): Promise<BridgeOutputs[C]> {
  const answer = await bridge().invoke(channel, input);
  if (!answer.ok) throw new BridgeFailure(answer.error);
  return answer.value;
}

export function onBridgeEvent(listener: (event: BridgeEvent) => void): () => void {
  return bridge().subscribe(listener);
}

/** What a failure says to the technician. */
export function failureOf(error: unknown): BridgeError {
  if (error instanceof BridgeFailure) return error.detail;
  return { message: error instanceof Error ? error.message : String(error), code: "failed" };
}

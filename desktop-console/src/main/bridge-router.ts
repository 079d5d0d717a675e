import { bridgeInputs } from "../shared/bridge-inputs.js";
import type { BridgeAnswer, BridgeChannel, BridgeError, BridgeHandlers, BridgeOutputs } from "../shared/bridge-types.js";
import { describeApiError, GatewayApiError } from "../shared/gateway-api.js";
import { UsbProvisioningError } from "./services/usb-provisioning.js";

function isChannel(channel: unknown): channel is BridgeChannel {
  return typeof channel === "string" && Object.hasOwn(bridgeInputs, channel);
}

function errorOf(error: unknown): BridgeError {
  if (error instanceof UsbProvisioningError) return { message: error.message, code: error.code, hint: error.hint };
  if (error instanceof GatewayApiError) return describeApiError(error);
  return { message: error instanceof Error ? error.message : String(error), code: "failed" };
}

/**
 * The main process's end of the bridge: refuses a channel it does not know and an input that
 * fails the channel's schema (naming each field), then calls the channel's handler. Every
 * outcome is an answer; nothing the renderer sends can throw here.
 */
export class BridgeRouter {
  constructor(private readonly handlers: BridgeHandlers) {}

  async handle(channel: unknown, input: unknown): Promise<BridgeAnswer<BridgeChannel>> {
    if (!isChannel(channel)) {
      return { ok: false, error: { message: `unknown request ${JSON.stringify(channel)}`, code: "unknown_channel" } };
    }
    const parsed = bridgeInputs[channel].safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
      return {
        ok: false,
        error: {
          message: issues.map((issue) => `${issue.path || "input"} ${issue.message}`).join("; "),
          code: "invalid_input",
          issues,
        },
      };
    }
    const handler = this.handlers[channel] as (input: unknown) => Promise<BridgeOutputs[BridgeChannel]>;
    try {
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      return { ok: false, error: errorOf(error) };
    }
  }
}

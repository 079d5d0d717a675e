import { CommandResult } from "@intelledger/proto/device";
import type { AuditLog } from "../auth/audit-log.js";
import type { DeviceRegistry } from "../devices/device-registry.js";
import { GatewayError } from "../errors.js";
import type { CommandAction, CommandOutcome } from "./command-service.js";

export interface CommandSender {
  send(deviceId: string, action: CommandAction): Promise<CommandOutcome>;
}

/** `applied`, `bad_signature`, `replayed`, `wrong_device` or `invalid`: what the device answered. */
export function commandResultName(result: CommandResult): string {
  return (CommandResult[result] ?? "COMMAND_RESULT_UNSPECIFIED").replace(/^COMMAND_RESULT_/, "").toLowerCase();
}

/**
 * Commands asked for by people or flows: the device must be registered and active, the
 * command goes out through the command service (signed, acknowledged), and each attempt
 * is audited with who asked and what the device answered, since it changes a device's
 * configuration.
 */
export class AuditedCommands {
  private readonly deps: { sender: CommandSender; registry: DeviceRegistry; audit: AuditLog };

  constructor(deps: { sender: CommandSender; registry: DeviceRegistry; audit: AuditLog }) {
    this.deps = deps;
  }

  /** `requestedBy` is an account name or `node-red:<node id>`. */
  async send(deviceId: string, action: CommandAction, requestedBy: string): Promise<CommandOutcome> {
    const { sender, registry, audit } = this.deps;
    const device = registry.get(deviceId);
    if (!device) throw new GatewayError("unknown device", { deviceId });
    if (device.status !== "active") throw new GatewayError(`device is ${device.status}`, { deviceId });
    let outcome: CommandOutcome;
    try {
      outcome = await sender.send(deviceId, action);
    } catch (error) {
      audit.record(requestedBy, "device.command", deviceId, { action: action.$case, error: (error as Error).message });
      throw error;
    }
    audit.record(requestedBy, "device.command", deviceId, {
      action: action.$case,
      commandId: outcome.commandId,
      result: commandResultName(outcome.result),
    });
    return outcome;
  }
}

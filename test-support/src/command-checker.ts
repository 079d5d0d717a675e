import { verify } from "node:crypto";
import { CommandResult, DeviceCommand, SignedCommand } from "@intelledger/proto/device";
import { p256KeyFromPoint } from "@intelledger/proto/p256";

export interface CheckedCommand {
  commandId: number;
  result: CommandResult;
  command: DeviceCommand | undefined;
}

/**
 * What a device does with a command before applying it, as the firmware does: check the
 * gateway's signature, that it is addressed to this device, and that its id is new.
 */
export class CommandChecker {
  private readonly deviceId: string;
  private readonly gatewayKey;
  private lastCommandId = 0;

  constructor(deviceId: string, gatewayCommandKeyPoint: Uint8Array) {
    this.deviceId = deviceId;
    this.gatewayKey = p256KeyFromPoint(gatewayCommandKeyPoint);
  }

  check(bytes: Uint8Array): CheckedCommand {
    let signed: SignedCommand;
    let command: DeviceCommand;
    try {
      signed = SignedCommand.decode(bytes);
      command = DeviceCommand.decode(signed.command);
    } catch {
      return { commandId: 0, result: CommandResult.COMMAND_RESULT_INVALID, command: undefined };
    }
    const answer = (result: CommandResult): CheckedCommand => ({ commandId: command.commandId, result, command });
    if (!verify("sha256", signed.command, { key: this.gatewayKey, dsaEncoding: "ieee-p1363" }, signed.signature)) {
      return answer(CommandResult.COMMAND_RESULT_BAD_SIGNATURE);
    }
    if (command.deviceId !== this.deviceId) return answer(CommandResult.COMMAND_RESULT_WRONG_DEVICE);
    if (command.commandId <= this.lastCommandId) return answer(CommandResult.COMMAND_RESULT_REPLAYED);
    // The firmware's bounds: 100 ms to an hour.
    const interval = command.action?.$case === "setSamplingInterval" ? command.action.value.intervalMs : undefined;
    if (interval !== undefined && (interval < 100 || interval > 3_600_000)) return answer(CommandResult.COMMAND_RESULT_INVALID);
    this.lastCommandId = command.commandId;
    return answer(CommandResult.COMMAND_RESULT_APPLIED);
  }
}

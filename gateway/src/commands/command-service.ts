import { sign } from "node:crypto";
import { CommandResult, DeviceCommand, SignedCommand, type CommandAck } from "@intelledger/proto/device";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import type { CommandKey } from "../identity/command-key.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import type { DeviceRoutes } from "./device-routes.js";

export type CommandAction = NonNullable<DeviceCommand["action"]>;

export interface CommandOutcome {
  commandId: number;
  result: CommandResult;
}

interface Pending {
  resolve: (outcome: CommandOutcome) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Signs commands for devices, sends them through the device's current transport and
 * waits for the device's acknowledgement. Command ids increase per device and are
 * persisted, so a device that keeps the last id it applied can refuse replays.
 */
export class CommandService {
  private readonly db: SqliteDatabase;
  private readonly key: CommandKey;
  private readonly routes: DeviceRoutes;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, Pending>();

  constructor(deps: { db: SqliteDatabase; key: CommandKey; routes: DeviceRoutes; logger: Logger; timeoutMs: number }) {
    this.db = deps.db;
    this.key = deps.key;
    this.routes = deps.routes;
    this.logger = deps.logger;
    this.timeoutMs = deps.timeoutMs;
  }

  /** Sends `action` to the device; resolves with the device's answer, rejects if it cannot be sent or goes unanswered. */
  async send(deviceId: string, action: CommandAction): Promise<CommandOutcome> {
    const commandId = this.nextCommandId(deviceId);
    const encoded = DeviceCommand.encode({ deviceId, commandId, issuedAtMs: Date.now(), action }).finish();
    const signature = sign("sha256", encoded, { key: this.key.privateKey, dsaEncoding: "ieee-p1363" });
    const signed = SignedCommand.encode({ command: encoded, signature }).finish();
    const answered = new Promise<CommandOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(`${deviceId}#${commandId}`);
        reject(new GatewayError(`device ${deviceId} did not acknowledge command ${commandId}`, { deviceId, commandId }));
      }, this.timeoutMs);
      this.pending.set(`${deviceId}#${commandId}`, { resolve, reject, timer });
    });
    if (!(await this.routes.send(deviceId, signed))) {
      const pending = this.pending.get(`${deviceId}#${commandId}`);
      clearTimeout(pending?.timer);
      this.pending.delete(`${deviceId}#${commandId}`);
      throw new GatewayError(`device ${deviceId} cannot be reached now`, { deviceId });
    }
    this.logger.info({ deviceId, commandId, action: action.$case }, "command sent");
    return answered;
  }

  /** Takes a device's acknowledgement (from a verified frame). */
  acknowledge(deviceId: string, ack: CommandAck): void {
    const key = `${deviceId}#${ack.commandId}`;
    const pending = this.pending.get(key);
    this.logger.info({ deviceId, commandId: ack.commandId, result: CommandResult[ack.result] }, "command acknowledged");
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(key);
    pending.resolve({ commandId: ack.commandId, result: ack.result });
  }

  close(): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new GatewayError("the gateway is stopping"));
    }
    this.pending.clear();
  }

  private nextCommandId(deviceId: string): number {
    const row = this.db
      .prepare("UPDATE devices SET last_command_id = last_command_id + 1 WHERE device_id = ? RETURNING last_command_id")
      .get(deviceId) as { last_command_id: number } | undefined;
    if (!row) throw new GatewayError(`unknown device ${deviceId}`, { deviceId });
    return row.last_command_id;
  }
}

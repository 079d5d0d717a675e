import type { DeviceCommand } from "@intelledger/proto/device";
import type { Logger } from "pino";
import type { AuditLog } from "../auth/audit-log.js";
import type { DeviceRegistry } from "../devices/device-registry.js";
import { GatewayError } from "../errors.js";

/** What a command tells a device to do: the `action` of the wire's DeviceCommand. */
export type DeviceAction = NonNullable<DeviceCommand["action"]>;

export interface DeviceCommandRequest {
  deviceId: string;
  action: DeviceAction;
  /** `<account>` or `node-red:<node id>`: whoever asked, for the audit log. */
  requestedBy: string;
  requestedAtMs: number;
}

export interface DeviceCommandReceipt {
  deviceId: string;
  /** The command id the transport assigned (strictly increasing per device). */
  commandId: number;
  issuedAtMs: number;
}

/** Signs a command with the gateway's command key and hands it to the device's transport. */
export type DeviceCommandTransport = (request: DeviceCommandRequest) => Promise<DeviceCommandReceipt>;

export class NoCommandTransportError extends GatewayError {}

/**
 * Where commands to devices enter the gateway, from flows or the admin API. The part
 * that signs and delivers them plugs in with `setTransport`; observers (the console's
 * live view, tests) hear every request through `onRequest`. Every accepted command is
 * audited, since it changes a device's configuration.
 */
export class DeviceCommands {
  private transport: DeviceCommandTransport | undefined;
  private readonly listeners = new Set<(request: DeviceCommandRequest) => void>();
  private readonly registry: DeviceRegistry;
  private readonly audit: AuditLog;
  private readonly logger: Logger;

  constructor(deps: { registry: DeviceRegistry; audit: AuditLog; logger: Logger }) {
    this.registry = deps.registry;
    this.audit = deps.audit;
    this.logger = deps.logger;
  }

  setTransport(transport: DeviceCommandTransport | undefined): void {
    this.transport = transport;
  }

  onRequest(listener: (request: DeviceCommandRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async send(deviceId: string, action: DeviceAction, requestedBy: string): Promise<DeviceCommandReceipt> {
    const device = this.registry.get(deviceId);
    if (!device) throw new GatewayError("unknown device", { deviceId });
    if (device.status !== "active") throw new GatewayError(`device is ${device.status}`, { deviceId });
    const request: DeviceCommandRequest = { deviceId, action, requestedBy, requestedAtMs: Date.now() };
    for (const listener of this.listeners) {
      try {
        listener(request);
      } catch (error) {
        this.logger.warn({ err: error }, "a device command listener failed");
      }
    }
    if (!this.transport) throw new NoCommandTransportError("no device command transport is configured", { deviceId });
    const receipt = await this.transport(request);
    this.audit.record(requestedBy, "device.command", deviceId, { action: action.$case, commandId: receipt.commandId });
    return receipt;
  }
}

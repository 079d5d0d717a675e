import {
  checkProvisioningSettings,
  provisionOverSerial,
  ProvisioningError,
  type ProvisionedDevice,
  type ProvisioningErrorCode,
  type ProvisioningSettings,
} from "@intelledger/proto/provisioning";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SerialPort } from "serialport";
import type { ProvisioningOutcome, ProvisioningProgress, SerialPortChoice } from "../../shared/bridge-types.js";
import { GatewayApiError, type GatewayApi } from "../../shared/gateway-api.js";

/** USB vendor ids of the serial bridges ESP32 boards carry. */
const ESP32_USB_VENDORS: Record<string, string> = {
  "303a": "Espressif (native USB)",
  "10c4": "Silicon Labs CP210x",
  "1a86": "WCH CH34x",
  "0403": "FTDI",
};

export interface UsbProvisioningRequest {
  port: string;
  deviceId: string;
  samplingIntervalMs: number;
  link: "serial" | "ble";
  timeoutMs?: number | undefined;
}

type ListedPort = { path: string; vendorId?: string | undefined; manufacturer?: string | undefined };

const USB_SERIAL = /^tty(USB|ACM)\d+$/;

/**
 * The serial ports the system lists with their USB descriptors; where it cannot (on Linux,
 * serialport asks udevadm, which a minimal system may lack) the USB serial devices in /dev.
 */
async function systemPorts(): Promise<ListedPort[]> {
  try {
    return await SerialPort.list();
  } catch {
    if (!existsSync("/dev")) return [];
    return readdirSync("/dev")
      .filter((name) => USB_SERIAL.test(name))
      .map((name) => ({ path: join("/dev", name) }));
  }
}

/** A failed run: the code of what went wrong, and what the technician does next. */
export class UsbProvisioningError extends Error {
  readonly code: ProvisioningErrorCode | "conflict" | "gateway";
  readonly hint: string;

  constructor(code: UsbProvisioningError["code"], message: string, hint: string) {
    super(message);
    this.name = "UsbProvisioningError";
    this.code = code;
    this.hint = hint;
  }
}

const HINTS: Record<ProvisioningErrorCode, string> = {
  invalid_settings: "correct the field named and start again",
  wrong_port: "check the cable, then pick the port again from the list (unplug and plug the device to see which one appears)",
  device_busy: "close the other program using the port (a serial monitor, idf.py monitor, another console) and start again",
  no_answer:
    "check that the device runs the IntelLedger firmware and waits for provisioning; press its reset button and start again",
  refused:
    "a device provisioned already takes new settings only with its provisioning window open: hold its BOOT button for 3 s, then start again within 5 minutes",
  bad_signature: "the device's answer does not prove it holds the key it reported: do not install this device, and report it",
};

/**
 * USB provisioning on the technician's computer: lists the serial ports (pointing out the
 * USB bridges ESP32 boards carry), runs the provisioning exchange with the device on one
 * (the gateway's command key in the request, the device's proof of its key checked), then
 * registers the device's key with the gateway. Each step is reported as it goes.
 */
export class UsbProvisioning {
  private readonly listPorts: () => Promise<ListedPort[]>;

  constructor(options: { listPorts?: () => Promise<ListedPort[]> } = {}) {
    this.listPorts = options.listPorts ?? systemPorts;
  }

  async ports(): Promise<SerialPortChoice[]> {
    const ports = await this.listPorts();
    return ports
      .map((port) => {
        const bridge = port.vendorId ? ESP32_USB_VENDORS[port.vendorId.toLowerCase()] : undefined;
        return {
          path: port.path,
          description: [port.manufacturer, bridge].filter(Boolean).join(", ") || "serial port",
          likelyDevice: bridge !== undefined,
        };
      })
      .sort((a, b) => Number(b.likelyDevice) - Number(a.likelyDevice) || a.path.localeCompare(b.path));
  }

  async provision(
    gateway: GatewayApi,
    request: UsbProvisioningRequest,
    progress: (update: ProvisioningProgress) => void,
  ): Promise<ProvisioningOutcome> {
    progress({ step: "check", state: "running", detail: "reading the gateway's command key" });
    const settings = await this.settingsFor(gateway, request);
    progress({ step: "check", state: "done", detail: "settings valid" });

    progress({ step: "exchange", state: "running", detail: `asking the device on ${request.port}` });
    let device: ProvisionedDevice;
    try {
      device = await provisionOverSerial(request.port, settings, { timeoutMs: request.timeoutMs ?? 10_000 });
    } catch (error) {
      const failure = this.exchangeFailure(error);
      progress({ step: "exchange", state: "failed", detail: failure.message });
      throw failure;
    }
    const publicKey = Buffer.from(device.publicKey).toString("hex");
    progress({
      step: "exchange",
      state: "done",
      detail: `the device took the settings and proved its key (firmware ${device.firmwareVersion})`,
    });

    progress({ step: "register", state: "running", detail: "registering the device's key with the gateway" });
    try {
      const outcome = await this.register(gateway, request.deviceId, publicKey);
      progress({
        step: "register",
        state: "done",
        detail: outcome === "confirmed" ? "registered already with this key" : "registered",
      });
      return { deviceId: request.deviceId, publicKey, firmwareVersion: device.firmwareVersion, outcome };
    } catch (error) {
      progress({ step: "register", state: "failed", detail: (error as Error).message });
      throw error;
    }
  }

  private async settingsFor(gateway: GatewayApi, request: UsbProvisioningRequest): Promise<ProvisioningSettings> {
    let commandKey: string;
    try {
      commandKey = (await gateway.commandKey()).commandPublicKey;
    } catch (error) {
      throw new UsbProvisioningError(
        "gateway",
        `the gateway did not give its command key (${(error as Error).message})`,
        "check the connection to the gateway; provisioning needs a technician account",
      );
    }
    const settings: ProvisioningSettings = {
      deviceId: request.deviceId,
      gatewayCommandKey: new Uint8Array(Buffer.from(commandKey, "hex")),
      samplingIntervalMs: request.samplingIntervalMs,
      link: { kind: request.link },
    };
    try {
      checkProvisioningSettings(settings);
    } catch (error) {
      throw this.exchangeFailure(error);
    }
    return settings;
  }

  private exchangeFailure(error: unknown): UsbProvisioningError {
    if (!(error instanceof ProvisioningError)) {
      return new UsbProvisioningError("no_answer", (error as Error).message, HINTS.no_answer);
    }
    return new UsbProvisioningError(error.code, error.message, HINTS[error.code]);
  }

  /** Registers the key; a device registered already with the same key is confirmed, with another refused. */
  private async register(gateway: GatewayApi, deviceId: string, publicKey: string): Promise<ProvisioningOutcome["outcome"]> {
    try {
      await gateway.registerDevice(deviceId, publicKey);
      return "registered";
    } catch (error) {
      if (!(error instanceof GatewayApiError) || error.status !== 409) {
        throw new UsbProvisioningError(
          "gateway",
          `the device took its settings, but registering it with the gateway failed: ${(error as Error).message}`,
          "once the gateway answers again, open the device's provisioning window (BOOT button, 3 s) and start again",
        );
      }
      const known = await gateway.device(deviceId).catch(() => undefined);
      if (known?.status !== "decommissioned" && known?.publicKey.toLowerCase() === publicKey) return "confirmed";
      throw new UsbProvisioningError(
        "conflict",
        `the gateway refused ${deviceId}: ${error.message}`,
        known?.status === "decommissioned"
          ? "a decommissioned id is never used again: provision the device with another id"
          : "this id belongs to another device's key: choose another id, or rotate that device's key on the Devices screen",
      );
    }
  }
}

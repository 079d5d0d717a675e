import { randomUUID } from "node:crypto";
import {
  checkProvisioningSettings,
  provisionOverSerial,
  ProvisioningError,
  type ProvisionedDevice,
  type ProvisioningErrorCode,
  type ProvisioningLink,
  type ProvisioningSettings,
} from "@intelledger/proto/provisioning";
import type { Logger } from "pino";
import { ConflictError, GatewayError } from "../errors.js";
import { discoverSerialPorts } from "../ingest/serial-port-discovery.js";
import type { SerialTransport } from "../ingest/serial-transport.js";
import type { DeviceLifecycle, DeviceView } from "./device-lifecycle.js";
import { newMqttToken } from "./mqtt-credentials.js";

/** The steps of a provisioning run, in order. */
export const PROVISIONING_STEPS = ["check", "exchange", "verify", "register"] as const;
export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];

/** Why a run failed: the exchange's own codes, or `conflict` when the gateway would not register the device. */
export type ProvisioningFailure = ProvisioningErrorCode | "conflict";

export interface ProvisioningJob {
  job: string;
  port: string;
  deviceId: string;
  link: ProvisioningLink["kind"];
  actor: string;
  state: "running" | "succeeded" | "failed";
  startedAtMs: number;
  finishedAtMs: number | undefined;
  steps: { step: ProvisioningStep; state: "running" | "done" | "failed"; atMs: number; detail: string }[];
  /** Once registered: the device, its firmware, and whether it was new, already known, or took a new key. */
  result: { device: DeviceView; firmwareVersion: string; outcome: "registered" | "confirmed" | "key-replaced" } | undefined;
  error: { code: ProvisioningFailure; message: string } | undefined;
}

type WifiMqttLink = Extract<ProvisioningLink, { kind: "wifiMqtt" }>;

/** A link as asked for: the gateway fills in the device's MQTT login, and the port when none is given. */
type RequestedLink =
  | Exclude<ProvisioningLink, WifiMqttLink>
  | (Omit<WifiMqttLink, "mqttPort" | "mqttCaCertificate" | "mqttUsername" | "mqttPassword"> & {
      mqttPort: number | undefined;
      mqttCaCertificate: Uint8Array | undefined;
    });

/** What a technician asks for; the gateway adds its command key and, over Wi-Fi, the device's MQTT login. */
export interface ProvisioningRequest {
  port: string;
  deviceId: string;
  samplingIntervalMs: number;
  link: RequestedLink;
  /** Take a new key from a device registered with another one (see DeviceLifecycle.acceptProvisioned). */
  replaceKey: boolean;
  timeoutMs: number;
}

/** A serial port of the gateway that a device can be provisioned on. */
export interface SerialPortInfo {
  path: string;
  /** The gateway's serial transport holds it open (frames arrive on it); provisioning shares the line. */
  ingest: boolean;
  /** The provisioning run using it now. */
  provisioningJob: string | undefined;
}

/** A request the gateway refuses before touching the port; `field` names the body field. */
export class ProvisioningRequestError extends GatewayError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message, { field });
    this.field = field;
  }
}

const KEPT_JOBS = 100;

const STEP_OF_FAILURE: Record<ProvisioningFailure, ProvisioningStep> = {
  invalid_settings: "check",
  wrong_port: "exchange",
  device_busy: "exchange",
  no_answer: "exchange",
  refused: "exchange",
  bad_signature: "verify",
  conflict: "register",
};

/** The request field a settings rule of the wire format (`wifi_mqtt.mqtt_port`) concerns (`link.mqttPort`). */
function requestField(wireField: string): string {
  const camel = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return wireField.startsWith("wifi_mqtt.") ? `link.${camel(wireField.slice("wifi_mqtt.".length))}` : camel(wireField);
}

/**
 * USB provisioning from the gateway: a technician names one of the gateway's serial ports,
 * the gateway runs the ProvisionRequest/ProvisionResponse exchange with the device on it
 * (sharing the line with the serial transport when that holds the port, else opening it
 * alone), checks the device's proof of its key and registers it. Each run is a job whose
 * steps can be followed; jobs are kept in memory, the last hundred.
 */
export class DeviceProvisioning {
  private readonly jobs = new Map<string, ProvisioningJob>();
  private readonly busyPorts = new Map<string, string>();
  private readonly deps: {
    lifecycle: DeviceLifecycle;
    serial: SerialTransport | undefined;
    /** The serial ports the configuration names ("auto" included). */
    configuredPorts: () => readonly string[];
    commandPublicKey: Uint8Array;
    /** The port devices reach the gateway's broker on, when the request does not say. */
    mqttPort: number | undefined;
    logger: Logger;
  };

  constructor(deps: DeviceProvisioning["deps"]) {
    this.deps = deps;
  }

  /** Every serial port a device could be provisioned on: USB adapters, configured ports, ports the transport holds. */
  ports(): SerialPortInfo[] {
    const open = new Set(this.deps.serial?.openPorts ?? []);
    const paths = new Set([...discoverSerialPorts(["auto", ...this.deps.configuredPorts()]), ...open]);
    return [...paths].sort().map((path) => ({ path, ingest: open.has(path), provisioningJob: this.busyPorts.get(path) }));
  }

  /** The key the gateway signs device commands with, which every provisioning request hands the device. */
  get commandPublicKey(): Uint8Array {
    return this.deps.commandPublicKey;
  }

  job(job: string): ProvisioningJob | undefined {
    return this.jobs.get(job);
  }

  /**
   * Checks the request and starts the run; the job says how it goes. Refuses at once (with
   * the field) settings the device would refuse, a port that is not the gateway's, a port in
   * use by another run and a decommissioned device id.
   */
  start(actor: string, request: ProvisioningRequest): ProvisioningJob {
    const mqttPassword = request.link.kind === "wifiMqtt" ? newMqttToken() : undefined;
    const settings = this.settingsFor(request, mqttPassword);
    try {
      checkProvisioningSettings(settings);
    } catch (error) {
      if (!(error instanceof ProvisioningError)) throw error;
      throw new ProvisioningRequestError(requestField(String(error.details.field)), error.message);
    }
    if (!this.ports().some((port) => port.path === request.port)) {
      throw new ProvisioningRequestError(
        "port",
        `${request.port} is not a serial port of this gateway; GET /api/serial-ports lists them`,
      );
    }
    const running = this.busyPorts.get(request.port);
    if (running) throw new ConflictError(`${request.port} is in use by provisioning run ${running}`, { port: request.port });
    if (this.deps.lifecycle.statusOf(request.deviceId) === "decommissioned") {
      throw new ConflictError(`device ${request.deviceId} was decommissioned; its id is not used again`, {
        deviceId: request.deviceId,
      });
    }

    const job: ProvisioningJob = {
      job: randomUUID(),
      port: request.port,
      deviceId: request.deviceId,
      link: request.link.kind,
      actor,
      state: "running",
      startedAtMs: Date.now(),
      finishedAtMs: undefined,
      steps: [{ step: "check", state: "done", atMs: Date.now(), detail: "settings valid, port is the gateway's" }],
      result: undefined,
      error: undefined,
    };
    this.keep(job);
    this.busyPorts.set(request.port, job.job);
    void this.run(job, request, settings, mqttPassword).finally(() => this.busyPorts.delete(request.port));
    return job;
  }

  private settingsFor(request: ProvisioningRequest, mqttPassword: string | undefined): ProvisioningSettings {
    const { link } = request;
    return {
      deviceId: request.deviceId,
      gatewayCommandKey: this.deps.commandPublicKey,
      samplingIntervalMs: request.samplingIntervalMs,
      link:
        link.kind === "wifiMqtt"
          ? {
              kind: "wifiMqtt",
              wifiSsid: link.wifiSsid,
              wifiPassword: link.wifiPassword,
              mqttHost: link.mqttHost,
              // 0 fails the device's check, naming the field, when neither the request nor the gateway has a port.
              mqttPort: link.mqttPort ?? this.deps.mqttPort ?? 0,
              ...(link.mqttCaCertificate && { mqttCaCertificate: link.mqttCaCertificate }),
              mqttUsername: request.deviceId,
              mqttPassword: mqttPassword ?? "",
            }
          : link,
    };
  }

  private async run(
    job: ProvisioningJob,
    request: ProvisioningRequest,
    settings: ProvisioningSettings,
    mqttPassword: string | undefined,
  ): Promise<void> {
    const { serial, logger } = this.deps;
    const shared = serial?.openPorts.includes(request.port) ?? false;
    this.step(
      job,
      "exchange",
      "running",
      shared ? "on the line the serial transport holds open" : "port opened for this run alone",
    );
    let device: ProvisionedDevice;
    try {
      const options = { timeoutMs: request.timeoutMs };
      device =
        shared && serial
          ? await serial.provisionDevice(request.port, settings, options)
          : await provisionOverSerial(request.port, settings, options);
    } catch (error) {
      const code = error instanceof ProvisioningError ? error.code : "no_answer";
      this.fail(job, code, (error as Error).message);
      return;
    }
    this.step(job, "exchange", "done", "the device answered and took the settings");
    this.step(
      job,
      "verify",
      "done",
      `its signature over the request and its nonce verifies with the key it reported; firmware ${device.firmwareVersion}`,
    );
    this.step(job, "register", "running", "");
    try {
      const accepted = this.deps.lifecycle.acceptProvisioned(job.actor, device, {
        replaceKey: request.replaceKey,
        mqttPassword,
      });
      job.result = { ...accepted, firmwareVersion: device.firmwareVersion };
      this.step(
        job,
        "register",
        "done",
        accepted.outcome === "confirmed" ? "registered already with this key" : accepted.outcome,
      );
      job.state = "succeeded";
      job.finishedAtMs = Date.now();
      logger.info({ job: job.job, deviceId: job.deviceId, port: job.port, outcome: accepted.outcome }, "device provisioned");
    } catch (error) {
      this.fail(job, "conflict", (error as Error).message);
    }
  }

  private step(job: ProvisioningJob, step: ProvisioningStep, state: "running" | "done" | "failed", detail: string): void {
    const entry = job.steps.find((existing) => existing.step === step);
    const update = { step, state, atMs: Date.now(), detail: detail || (entry?.detail ?? "") };
    if (entry) Object.assign(entry, update);
    else job.steps.push(update);
  }

  private fail(job: ProvisioningJob, code: ProvisioningFailure, message: string): void {
    const failed = STEP_OF_FAILURE[code];
    // A step before the one that failed went through (the device answered, then its proof failed).
    for (const entry of job.steps) if (entry.state === "running" && entry.step !== failed) entry.state = "done";
    this.step(job, failed, "failed", message);
    job.state = "failed";
    job.error = { code, message };
    job.finishedAtMs = Date.now();
    this.deps.logger.warn({ job: job.job, deviceId: job.deviceId, port: job.port, code }, `provisioning failed: ${message}`);
  }

  private keep(job: ProvisioningJob): void {
    this.jobs.set(job.job, job);
    for (const old of this.jobs.keys()) {
      if (this.jobs.size <= KEPT_JOBS) break;
      if (this.jobs.get(old)?.state !== "running") this.jobs.delete(old);
    }
  }
}

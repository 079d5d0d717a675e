import type { z } from "zod";
import type { bridgeInputs } from "./bridge-inputs.js";
import type { PROVISIONING_STEPS } from "./bridge-constants.js";
import type { AnchorView, BatchView, ReceiptCheckView } from "@intelledger/gateway/api-views";

// What the gateway's API answers, as the gateway declares it.
export type { BatchView, ReceiptCheckView as ReceiptCheck } from "@intelledger/gateway/api-views";

/**
 * The one contract between the renderer and the main process: the requests the renderer may
 * make (their input schemas are in bridge-inputs.ts), what each answers, and the events the
 * main process pushes. The preload exposes exactly this, nothing of Node or Electron.
 */

export type BridgeChannel = keyof typeof bridgeInputs;
export type BridgeInput<C extends BridgeChannel> = z.input<(typeof bridgeInputs)[C]>;

export interface DiscoveredGateway {
  name: string;
  url: string;
  host: string;
  port: number;
  /** The gateway's address (its identity key's), from the DNS-SD TXT record or its status. */
  gatewayId: string | undefined;
  version: string | undefined;
  /** How it was found. */
  via: "dns-sd" | "address";
  /** Whether it waits for its first account (pairing code) or asks for a login. */
  needs: "pairing" | "login" | undefined;
}

export interface ConnectionProfile {
  id: string;
  gatewayUrl: string;
  username: string;
  savedAtMs: number;
}

export interface SessionInfo {
  profile: ConnectionProfile;
  role: string;
}

export interface DeviceView {
  deviceId: string;
  status: "active" | "inactive" | "decommissioned";
  publicKey: string;
  registeredAtMs: number;
  lastCounter: string;
  lastSeenMs?: number;
  transport?: string;
  quarantine: { quarantined: boolean; remainingMs: number };
  activity: {
    framesAccepted: number;
    readingsAccepted: number;
    framesMissed: number;
    readingsOutsideBounds: number;
    rejected: Record<string, number>;
    readingsPerSecond: number;
  };
  settings: DeviceSettings;
}

export interface GatewayStatus {
  gatewayId: string;
  readingsStored: number;
  batchesSealed: number;
  batchesAcked: number;
  /** Sealed batches the relay has not acknowledged yet. */
  backlog: { batches: number; readings: number; oldestSealedAtMs?: number };
  storage: {
    bytesUsed: number;
    quotaBytes: number;
    full: boolean;
    batchesPruned: number;
    readingsPruned: number;
    daysOfAutonomy: number;
    ingestReadingsPerSecond: number;
  };
  drainReadingsPerSecond: number;
  uplink: { state: string; batchesAcked: number; readingsAcked: number; lastError?: string } | undefined;
  /** Each part under the gateway's supervisor, and whether it runs, restarts or is degraded, and why. */
  subsystems: SubsystemStatus[];
}

export interface SubsystemStatus {
  name: string;
  state: "starting" | "off" | "running" | "restarting" | "degraded" | "stopped";
  /** Restarts after failures since the gateway started. */
  restarts: number;
  /** Why it is restarting or degraded. */
  reason?: string;
}

export type DeviceSettings = BridgeInput<"devices.settings">["settings"];

export interface InferenceState {
  enabled: boolean;
  model?: { version: string; threshold: number; description: string };
  versions: number[];
}

export interface ConfigDocument {
  revision: number;
  status: string;
  config: Record<string, unknown>;
}

export interface ConfigIssue {
  path: string;
  message: string;
}

export interface ConfigChange {
  path: string;
  before?: unknown;
  after?: unknown;
  apply: "live" | "restart" | "fixed";
}

export interface ConfigRevisionSummary {
  revision: number;
  atMs: number;
  actor: string;
  origin: string;
  status: string;
  comment?: string;
  current: boolean;
}

export interface AuditEntry {
  id: number;
  atMs: number;
  actor: string;
  action: string;
  target?: string;
}

export interface BatchesPage {
  batches: BatchView[];
  lastAnchored?: AnchorView & { sequence: number };
  /** Whether the gateway can fetch receipts from its relay, and the chain's RPC URL it checks them at. */
  receipts: { fromRelay: boolean; rpcUrl?: string };
}

export interface SerialPortChoice {
  path: string;
  /** What the USB descriptor says (manufacturer, product), when there is one. */
  description: string;
  /** A USB bridge that ESP32 boards carry (Espressif, Silicon Labs CP210x, WCH CH34x, FTDI). */
  likelyDevice: boolean;
}

export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];

export interface ProvisioningProgress {
  step: ProvisioningStep;
  state: "running" | "done" | "failed";
  detail: string;
}

export interface ProvisioningOutcome {
  deviceId: string;
  publicKey: string;
  firmwareVersion: string;
  outcome: "registered" | "confirmed";
}

export interface BridgeOutputs {
  "discovery.browse": DiscoveredGateway[];
  "discovery.probe": DiscoveredGateway;
  "profiles.list": ConnectionProfile[];
  "profiles.forget": null;
  "session.pair": SessionInfo;
  "session.login": SessionInfo;
  "session.open": SessionInfo;
  "session.close": null;
  "gateway.status": GatewayStatus;
  "devices.list": DeviceView[];
  "devices.action": DeviceView;
  "devices.settings": DeviceView;
  "devices.rotateKey": DeviceView;
  /** What the device answered: applied, bad_signature, replayed, wrong_device or invalid. */
  "devices.command": { deviceId: string; commandId: number; result: string };
  "nodeRed.get": { state: string; safeModeReason?: string };
  "inference.get": InferenceState;
  "inference.swap": { version: string };
  "config.get": ConfigDocument;
  "config.schema": Record<string, unknown>;
  "config.validate": { valid: boolean; issues: ConfigIssue[] };
  "config.diff": { changes: ConfigChange[]; mode: string };
  "config.apply": { revision: number; changes: ConfigChange[]; mode: string };
  "config.history": ConfigRevisionSummary[];
  "config.revert": { revision: number; changes: ConfigChange[]; mode: string };
  "uplink.enroll": { relay: { address: string }; revision: number };
  "audit.list": AuditEntry[];
  "proofs.batches": BatchesPage;
  "proofs.receipt": Record<string, unknown>;
  "proofs.verify": { receipt: Record<string, unknown>; check: ReceiptCheckView };
  "usb.ports": SerialPortChoice[];
  "usb.provision": ProvisioningOutcome;
  "live.start": null;
  "live.stop": null;
}

/** What answers each request: the main process's services, or in a browser the gateway over HTTP. */
export type BridgeHandlers = {
  [C in BridgeChannel]: (input: BridgeInput<C>) => Promise<BridgeOutputs[C]>;
};

/** The requests that are calls to the connected gateway's API, the same in the app and in a browser. */
export type GatewayChannel =
  | "gateway.status"
  | "devices.list"
  | "devices.action"
  | "devices.settings"
  | "devices.rotateKey"
  | "devices.command"
  | "nodeRed.get"
  | "inference.get"
  | "inference.swap"
  | "config.get"
  | "config.schema"
  | "config.validate"
  | "config.diff"
  | "config.apply"
  | "config.history"
  | "config.revert"
  | "uplink.enroll"
  | "audit.list"
  | "proofs.batches"
  | "proofs.receipt"
  | "proofs.verify";

/** A refusal the renderer can show: what went wrong, and what to do next. */
export interface BridgeError {
  message: string;
  /** A code the renderer may branch on (`invalid_input`, `no_answer`, an HTTP status as text…). */
  code: string;
  hint?: string;
  issues?: ConfigIssue[];
}

export type BridgeAnswer<C extends BridgeChannel> = { ok: true; value: BridgeOutputs[C] } | { ok: false; error: BridgeError };

/** What the main process pushes to the renderer. */
export type BridgeEvent =
  | { kind: "live"; type: string; data: Record<string, unknown> }
  | { kind: "live-state"; state: "connecting" | "open" | "closed"; detail: string }
  | { kind: "provisioning"; progress: ProvisioningProgress };

/** The object the preload puts on `window.consoleBridge`. */
export interface ConsoleBridge {
  invoke<C extends BridgeChannel>(channel: C, input: BridgeInput<C>): Promise<BridgeAnswer<C>>;
  /** Calls `listener` with every event; the returned function stops it. */
  subscribe(listener: (event: BridgeEvent) => void): () => void;
}

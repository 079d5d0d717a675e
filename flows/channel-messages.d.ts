/**
 * The channel between the gateway and the Node-RED process it supervises: one JSON
 * message per line over a socket pair the gateway hands the process as file descriptor 3
 * (nothing else can connect to it). The gateway validates every message the process sends
 * and answers only what gateway-api.d.ts promises the nodes.
 */
import type {
  AlertInput,
  CommandReceipt,
  DerivedReadingInput,
  DeviceAction,
  FlowReading,
  GatewayStatus,
  RuleAlert,
  ScoredReading,
  SeriesAnswer,
  SeriesRequest,
  StoredAlert,
} from "./gateway-api.js";

/** What the Node-RED process needs to start, sent as the gateway's first message. */
export interface NodeRedStartConfig {
  gatewayId: string;
  status: GatewayStatus;
  /** Node-RED's user directory: flows, encrypted credentials, backups. */
  userDir: string;
  /** Where the editor and admin API live, the same path as on the gateway's server. */
  adminRoot: string;
  /** Deployed flows kept as backups. */
  keepBackups: number;
  /** Start with the flows stopped (Node-RED's safe mode) until the next deploy. */
  safeMode: boolean;
  /** Let flows listen for network connections (tcp in, udp in and the like). */
  allowListeningNodes: boolean;
  /** Hex key the gateway signs the editor's identity headers with. */
  identityKey: string;
}

export type GatewayCall =
  | { op: "sendDeviceCommand"; deviceId: string; action: DeviceAction; requestedBy: string }
  | { op: "writeDerivedReading"; input: DerivedReadingInput }
  | { op: "raiseAlert"; input: AlertInput }
  | { op: "querySeries"; request: SeriesRequest };

export type GatewayCallResult = CommandReceipt | FlowReading | StoredAlert | SeriesAnswer;

/** Node-RED levels: 10 fatal, 20 error, 30 warn, 40 info, 50 debug, 60 trace. */
export interface NodeRedLogLine {
  level: number;
  msg: string;
  node?: { id?: string | undefined; type?: string | undefined; name?: string | undefined } | undefined;
}

/** From the Node-RED process to the gateway. */
export type NodeRedMessage =
  /** Every half second while the event loop turns. */
  | { t: "heartbeat" }
  /** The editor and admin API answer on 127.0.0.1:port. */
  | { t: "ready"; port: number }
  /** The flows about to run (read at start, or deployed), by Node-RED's revision (SHA-256 of the flows). */
  | { t: "flows"; rev: string }
  | ({ t: "log" } & NodeRedLogLine)
  | { t: "subscribe"; feed: "readings" | "scores" | "status" | "alerts"; on: boolean }
  | { t: "call"; id: number; call: GatewayCall };

/** From the gateway to the Node-RED process. */
export type GatewayMessage =
  | { t: "start"; config: NodeRedStartConfig }
  | { t: "readings"; readings: FlowReading[] }
  | { t: "score"; scored: ScoredReading }
  | { t: "alert"; alert: RuleAlert }
  | { t: "status"; status: GatewayStatus }
  | { t: "result"; id: number; value: GatewayCallResult }
  | { t: "result"; id: number; error: string }
  | { t: "stop" };

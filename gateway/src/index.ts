export type { AuditEntry } from "./auth/audit-log.js";
export type { Role } from "./auth/roles.js";
export { NoCommandTransportError } from "./commands/device-commands.js";
export type {
  DeviceAction,
  DeviceCommandReceipt,
  DeviceCommandRequest,
  DeviceCommandTransport,
} from "./commands/device-commands.js";
export { parseGatewayConfig } from "./config.js";
export type { GatewayConfig, GatewayConfigInput } from "./config.js";
export type { AlertRecord, AlertSeverity } from "./derived/derived-store.js";
export { registerDevicesOffline } from "./devices/offline-registration.js";
export { GatewayConfigError, GatewayError } from "./errors.js";
export type { AnomalyScore, ScoredReading } from "./feeds/anomaly-feed.js";
export { startGateway } from "./gateway.js";
export type { Gateway, GatewaySnapshot } from "./gateway.js";
export { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
export { frameTopic } from "./ingest/mqtt-topics.js";
export { seedBacklog } from "./simulation/backlog-seeder.js";
export type { BacklogOptions } from "./simulation/backlog-seeder.js";
export { SimulatedDevice } from "./simulation/simulated-device.js";
export { createRelayClient } from "./uplink/relay-client.js";

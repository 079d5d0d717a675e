// What an embedder of the gateway uses: start it from a configuration, register devices on
// a stopped gateway, read its identity. A BLE central of its own plugs in through
// `@intelledger/gateway/ble`.
export type { AuditEntry } from "./auth/audit-log.js";
export type { Role } from "./auth/roles.js";
export { parseGatewayConfig } from "./config.js";
export type { GatewayConfig, GatewayConfigInput } from "./config.js";
export { registerDevicesOffline } from "./devices/offline-registration.js";
export type { MqttCredentials } from "./devices/mqtt-credentials.js";
export { GatewayConfigError, GatewayError } from "./errors.js";
export type { AnomalyScore } from "node-red-contrib-intelledger/gateway-api";
export type { ScoredReading } from "./feeds/anomaly-feed.js";
export { startGateway } from "./gateway.js";
export type { Gateway, GatewayOptions } from "./gateway.js";
export type { GatewaySnapshot } from "./gateway-snapshot.js";
export { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
export type { AlertRecord, AlertSeverity } from "./store/derived-store.js";
export { createRelayClient } from "./uplink/relay-client.js";

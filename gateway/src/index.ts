export { parseGatewayConfig } from "./config.js";
export type { GatewayConfig, GatewayConfigInput } from "./config.js";
export { registerDevicesOffline } from "./devices/offline-registration.js";
export { GatewayConfigError, GatewayError } from "./errors.js";
export { startGateway } from "./gateway.js";
export type { Gateway, GatewaySnapshot } from "./gateway.js";
export { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
export { frameTopic } from "./ingest/mqtt-topics.js";
export { SimulatedDevice } from "./simulation/simulated-device.js";

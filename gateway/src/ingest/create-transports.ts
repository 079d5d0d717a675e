import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { RefusalLog } from "../acceptance/refusal-log.js";
import type { GatewayConfig } from "../config.js";
import type { DeviceRegistry } from "../devices/device-registry.js";
import type { BleCentral } from "./ble/ble-central.js";
import { BluezCentral } from "./ble/bluez-central.js";
import { BleTransport } from "./ble-transport.js";
import { EmbeddedMqttTransport } from "./embedded-mqtt-transport.js";
import { ExternalMqttTransport } from "./external-mqtt-transport.js";
import type { FrameTransport } from "./frame-transport.js";
import { writeMqttNumbersUncached } from "./mqtt-number-cache.js";
import { mqttPacketLimit } from "./mqtt-packet-guard.js";
import { SerialTransport } from "./serial-transport.js";

export interface Transports {
  /** Every transport, in the order they start. */
  transports: FrameTransport[];
  mqtt: EmbeddedMqttTransport | ExternalMqttTransport;
  serial: SerialTransport | undefined;
  ble: BleTransport | undefined;
}

/**
 * The transports the configuration asks for: MQTT always (the embedded broker unless an
 * external one is named), serial when ports are listed, BLE when enabled or when a central
 * is given (a simulated one in tests).
 */
export function createTransports(options: {
  config: GatewayConfig;
  gatewayId: string;
  /** Whose MQTT logins the embedded broker checks. */
  devices: DeviceRegistry;
  refusals: RefusalLog;
  logger: Logger;
  bleCentral: BleCentral | undefined;
}): Transports {
  const { config, gatewayId, devices, refusals, logger, bleCentral } = options;
  const { broker } = config.mqtt;
  writeMqttNumbersUncached();
  const mqttLogger = logger.child({ component: "mqtt" });
  const maxPacketBytes = mqttPacketLimit(config.ingest.maxFrameBytes);
  const mqtt = broker
    ? new ExternalMqttTransport({
        ...broker,
        clientId: broker.clientId ?? `intelledger-gateway-${gatewayId.slice(2, 10).toLowerCase()}`,
        password: broker.passwordFile === undefined ? undefined : readFileSync(broker.passwordFile, "utf8").trim(),
        maxPacketBytes,
        refusals,
        logger: mqttLogger,
      })
    : new EmbeddedMqttTransport({ ...config.mqtt, maxPacketBytes, logins: devices, refusals, logger: mqttLogger });
  const serial =
    config.serial.ports.length > 0
      ? new SerialTransport({ ...config.serial, logger: logger.child({ component: "serial" }) })
      : undefined;
  const central =
    bleCentral ??
    (config.ble.enabled
      ? new BluezCentral({ adapter: config.ble.adapter, logger: logger.child({ component: "ble" }) })
      : undefined);
  const ble = central && new BleTransport({ central, logger: logger.child({ component: "ble" }) });
  return { transports: [mqtt, ...(serial ? [serial] : []), ...(ble ? [ble] : [])], mqtt, serial, ble };
}

/** MQTT topics of the device wire contract: intelledger/v1/<deviceId>/<kind>. */
export const MQTT_TOPIC_ROOT = "intelledger/v1";

/** What a device publishes: readings on `frames`, its state and command acknowledgements on `status`. */
export const DEVICE_PUBLISH_KINDS = ["frames", "status"] as const;

export function frameTopic(deviceId: string): string {
  return `${MQTT_TOPIC_ROOT}/${deviceId}/frames`;
}

export function statusTopic(deviceId: string): string {
  return `${MQTT_TOPIC_ROOT}/${deviceId}/status`;
}

export function commandTopic(deviceId: string): string {
  return `${MQTT_TOPIC_ROOT}/${deviceId}/commands`;
}

/** The topic filters a gateway subscribes to on an external broker. */
export const DEVICE_PUBLISH_FILTERS = DEVICE_PUBLISH_KINDS.map((kind) => `${MQTT_TOPIC_ROOT}/+/${kind}`);

/** The device id of a topic a device publishes frames on (frames or status), or undefined for any other topic. */
export function deviceIdOfPublishTopic(topic: string): string | undefined {
  const parts = topic.split("/");
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== MQTT_TOPIC_ROOT) return undefined;
  if (!(DEVICE_PUBLISH_KINDS as readonly string[]).includes(parts[3] ?? "")) return undefined;
  return parts[2] || undefined;
}

/** True for the topic only the gateway may publish on. */
export function isCommandTopic(topic: string): boolean {
  const parts = topic.split("/");
  return parts.length === 4 && `${parts[0]}/${parts[1]}` === MQTT_TOPIC_ROOT && parts[3] === "commands";
}

/** MQTT topics of the device wire contract: intelledger/v1/<deviceId>/<kind>. */
export const MQTT_TOPIC_ROOT = "intelledger/v1";

export function frameTopic(deviceId: string): string {
  return `${MQTT_TOPIC_ROOT}/${deviceId}/frames`;
}

/** The device id of a frames topic, or undefined for any other topic. */
export function deviceIdOfFrameTopic(topic: string): string | undefined {
  const parts = topic.split("/");
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== MQTT_TOPIC_ROOT || parts[3] !== "frames") return undefined;
  return parts[2] || undefined;
}

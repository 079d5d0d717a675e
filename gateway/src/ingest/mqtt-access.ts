import { commandTopic, deviceIdOfPublishTopic, isCommandTopic } from "@intelledger/proto/mqtt";

/** Why the embedded broker refused a login, a publish, a subscription or a packet; each is counted. */
export const MQTT_REFUSAL_REASONS = [
  "anonymous",
  "bad_credentials",
  "client_id_mismatch",
  "wrong_topic",
  "foreign_topic",
  "subscription_refused",
  "oversized_packet",
  "malformed_packet",
] as const;
export type MqttRefusalReason = (typeof MQTT_REFUSAL_REASONS)[number];

/**
 * Who a client on the embedded broker is: the device it logged in as, or nobody (a client
 * without a login, only let in when anonymous access is on).
 */
export type MqttIdentity = { deviceId: string } | { anonymous: true };

export type PublishVerdict =
  { allowed: true; claimedDeviceId: string } | { allowed: false; reason: MqttRefusalReason; detail: string };

/**
 * The broker's ACL for publishes: a device publishes only on its own frames and status
 * topics (intelledger/v1/<its id>/frames|status); nothing else exists for it, commands and
 * $SYS included. An anonymous client may use any device's frames and status topics.
 */
export function publishVerdict(identity: MqttIdentity, topic: string): PublishVerdict {
  const claimedDeviceId = deviceIdOfPublishTopic(topic);
  if (claimedDeviceId === undefined) {
    return isCommandTopic(topic)
      ? { allowed: false, reason: "foreign_topic", detail: `devices may not publish commands (${topic})` }
      : { allowed: false, reason: "wrong_topic", detail: `${topic} is not intelledger/v1/<device id>/frames or /status` };
  }
  if ("deviceId" in identity && identity.deviceId !== claimedDeviceId) {
    return { allowed: false, reason: "foreign_topic", detail: `${identity.deviceId} may not publish on ${topic}` };
  }
  return { allowed: true, claimedDeviceId };
}

/**
 * The broker's ACL for subscriptions: a device subscribes only to its own commands topic,
 * exactly (no wildcard, no $SYS); an anonymous client to one device's commands topic.
 */
export function subscriptionAllowed(identity: MqttIdentity, topicFilter: string): boolean {
  if ("deviceId" in identity) return topicFilter === commandTopic(identity.deviceId);
  const parts = topicFilter.split("/");
  return isCommandTopic(topicFilter) && !/[+#]/.test(topicFilter) && (parts[2] ?? "") !== "";
}

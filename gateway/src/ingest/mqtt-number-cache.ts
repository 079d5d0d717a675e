import { createRequire } from "node:module";

/** The switch mqtt-packet offers over its cache of encoded numbers. */
interface MqttPacketWriter {
  writeToStream: { cacheNumbers: boolean };
}

/**
 * mqtt-packet, which the embedded broker (aedes) and the MQTT client (mqtt.js) write packets
 * with, fills a cache on its first packet with a two-byte Buffer for each of the 65,536 packet
 * ids and lengths it may write: about 7 MB of the gateway's heap at the reference load, to save
 * allocating two bytes per number written. This turns the cache off in the copy of mqtt-packet
 * each of them loads (the same one, when the package manager hoisted it), before any packet.
 */
export function writeMqttNumbersUncached(): void {
  for (const user of ["aedes", "mqtt"]) {
    const packet = createRequire(import.meta.resolve(user))("mqtt-packet") as MqttPacketWriter;
    packet.writeToStream.cacheNumbers = false;
  }
}

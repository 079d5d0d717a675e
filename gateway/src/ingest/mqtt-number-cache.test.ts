import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { writeMqttNumbersUncached } from "./mqtt-number-cache.js";

const fromAedes = createRequire(import.meta.resolve("aedes"));
const mqttPacket = fromAedes("mqtt-packet") as { generate(packet: object): Buffer };
const { cache } = fromAedes("mqtt-packet/numbers.js") as { cache: Record<number, Buffer> };

describe("writeMqttNumbersUncached", () => {
  it("has the broker write packet ids and lengths without mqtt-packet's cache of 65,536 Buffers", () => {
    writeMqttNumbersUncached();
    const puback = mqttPacket.generate({ cmd: "puback", messageId: 300 });
    const publish = mqttPacket.generate({ cmd: "publish", topic: "d/x", payload: Buffer.from("ab"), qos: 1, messageId: 7 });
    expect([...puback]).toEqual([0x40, 2, 1, 44]);
    expect([...publish]).toEqual([0x32, 9, 0, 3, ...Buffer.from("d/x"), 0, 7, ...Buffer.from("ab")]);
    expect(Object.keys(cache)).toHaveLength(0);
  });
});

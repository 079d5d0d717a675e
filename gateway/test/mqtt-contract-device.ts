import { frameSha256 } from "@intelledger/proto/device";
import { commandTopic, frameTopic } from "@intelledger/proto/mqtt";
import type { MqttSessionTap } from "@intelledger/test-support";
import mqtt, { type MqttClient } from "mqtt";
import type { ContractDevice, ContractSend, LinkAnswer } from "./frame-transport-contract.js";

export interface MqttDeviceLogin {
  url: string;
  deviceId: string;
  username: string;
  password: string;
}

/** Signed commands a device received on its command topic, taken in order. */
class CommandInbox {
  private readonly received: Uint8Array[] = [];
  private readonly waiting: ((command: Uint8Array) => void)[] = [];

  push(command: Uint8Array): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(command);
    else this.received.push(command);
  }

  async next(timeoutMs: number): Promise<Uint8Array> {
    const queued = this.received.shift();
    if (queued) return queued;
    let timer: NodeJS.Timeout | undefined;
    const deliver = new Promise<Uint8Array>((resolve) => this.waiting.push(resolve));
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no command within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([deliver, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A device's MQTT connection, subscribed to its commands; a new session each time (clean), as the firmware's. */
async function connect(login: MqttDeviceLogin, inbox: CommandInbox): Promise<MqttClient> {
  const { url, deviceId, username, password } = login;
  const client = await mqtt.connectAsync(url, { clientId: deviceId, username, password, clean: true, reconnectPeriod: 0 });
  client.on("message", (topic, payload) => {
    if (topic === commandTopic(deviceId)) inbox.push(payload);
  });
  await client.subscribeAsync(commandTopic(deviceId), { qos: 1 });
  return client;
}

function answeredWithin(answer: Promise<LinkAnswer>): ContractSend {
  return {
    async answered(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<LinkAnswer>((resolve) => (timer = setTimeout(() => resolve({ kind: "none" }), timeoutMs)));
      try {
        return await Promise.race([answer, silence]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * A device publishing to the gateway's own broker, as the firmware does: each frame at QoS 1;
 * its PUBACK is the acknowledgement, a connection ended before it is "not now". A resend goes
 * out on a new connection when the old one ended, so nothing the old one had in flight is sent
 * twice behind the device's back.
 */
export function embeddedBrokerDevice(login: MqttDeviceLogin): ContractDevice {
  const inbox = new CommandInbox();
  let client: MqttClient | undefined;

  const connected = async (): Promise<MqttClient> => {
    if (client?.connected) return client;
    await client?.endAsync(true);
    client = await connect(login, inbox);
    return client;
  };

  const publish = async (signedFrame: Uint8Array): Promise<LinkAnswer> => {
    let current: MqttClient;
    try {
      current = await connected();
    } catch {
      return { kind: "not_now" };
    }
    return new Promise<LinkAnswer>((resolve) => {
      const ended = () => resolve({ kind: "not_now" });
      current.once("close", ended);
      current.publish(frameTopic(login.deviceId), Buffer.from(signedFrame), { qos: 1 }, (error) => {
        current.off("close", ended);
        resolve(error ? { kind: "not_now" } : { kind: "acknowledged" });
      });
    });
  };

  return {
    send: (signedFrame) => answeredWithin(publish(signedFrame)),
    nextCommand: (timeoutMs) => inbox.next(timeoutMs),
    close: async () => {
      await client?.endAsync(true);
    },
  };
}

/**
 * A device on an external broker, with the broker: the device publishes a frame once, and the
 * broker keeps it for the gateway's session and delivers it again until the gateway
 * acknowledges it. So a resend asks nothing of the device, and the answers are what the gateway
 * did with the broker's delivery (`tap` sits between the gateway and the broker): its PUBACK
 * acknowledges the frame, a session ended without it is "not now".
 */
export async function externalBrokerDevice(login: MqttDeviceLogin, tap: MqttSessionTap): Promise<ContractDevice> {
  const inbox = new CommandInbox();
  const client = await connect(login, inbox);
  const published = new Set<string>();
  const acknowledged = new Set<string>();
  const waiters = new Map<string, Set<(answer: LinkAnswer) => void>>();
  const answer = (payload: Uint8Array, kind: "acknowledged" | "not_now") => {
    const key = Buffer.from(frameSha256(payload)).toString("hex");
    if (kind === "acknowledged") acknowledged.add(key);
    for (const waiter of waiters.get(key) ?? []) waiter({ kind });
    waiters.delete(key);
  };
  const onAcknowledged = (payload: Uint8Array) => answer(payload, "acknowledged");
  const onDropped = (payload: Uint8Array) => answer(payload, "not_now");
  tap.on("acknowledged", onAcknowledged);
  tap.on("dropped", onDropped);

  return {
    send(signedFrame) {
      const key = Buffer.from(frameSha256(signedFrame)).toString("hex");
      if (acknowledged.has(key)) return answeredWithin(Promise.resolve({ kind: "acknowledged" }));
      const answered = new Promise<LinkAnswer>((resolve) => {
        const forKey = waiters.get(key) ?? new Set();
        forKey.add(resolve);
        waiters.set(key, forKey);
      });
      if (!published.has(key)) {
        published.add(key);
        // The broker's PUBACK is the device's; the gateway's comes through the tap. Not taken by the broker, it is sent again.
        client.publishAsync(frameTopic(login.deviceId), Buffer.from(signedFrame), { qos: 1 }).catch(() => published.delete(key));
      }
      return answeredWithin(answered);
    },
    nextCommand: (timeoutMs) => inbox.next(timeoutMs),
    async close() {
      tap.off("acknowledged", onAcknowledged);
      tap.off("dropped", onDropped);
      await client.endAsync(true);
    },
  };
}

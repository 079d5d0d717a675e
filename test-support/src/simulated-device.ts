import type { CommandAck } from "@intelledger/proto/device";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { commandTopic, frameTopic, statusTopic } from "@intelledger/proto/mqtt";
import { CommandChecker, type CheckedCommand } from "./command-checker.js";
import { generateDeviceKeys, signFrame, type DeviceKeys } from "./frame-signer.js";
import { referenceSensors, sampleAll, type SensorSignal } from "./sensor-signals.js";

/**
 * A sensor node that speaks the device wire contract over MQTT: signed frames with a
 * strictly increasing counter, published at QoS 1; and, once given the gateway's command
 * key, commands checked and acknowledged on its status topic.
 */
export class SimulatedDevice {
  readonly deviceId: string;
  readonly keys: DeviceKeys;
  private readonly sensors: SensorSignal[];
  private readonly startedAtMs = Date.now();
  private frameCounter = 0;
  private client: MqttClient | undefined;
  private connection: { brokerUrl: string; options: IClientOptions } | undefined;
  private timer: NodeJS.Timeout | undefined;
  framesAcked = 0;
  /** Commands received, with what the device answered. */
  readonly commands: CheckedCommand[] = [];

  /** `counter`: frames the device sent before (a device that was switched off goes on counting from there). */
  constructor(deviceId: string, options: { keys?: DeviceKeys; sensors?: SensorSignal[]; counter?: number } = {}) {
    this.deviceId = deviceId;
    this.keys = options.keys ?? generateDeviceKeys();
    this.sensors = options.sensors ?? referenceSensors();
    this.frameCounter = options.counter ?? 0;
  }

  get publicKeyPoint(): Uint8Array {
    return this.keys.publicKeyPoint;
  }

  /** The counter of the last frame made. */
  get counter(): number {
    return this.frameCounter;
  }

  async connect(brokerUrl: string, credentials?: { username: string; password: string }): Promise<void> {
    this.connection = { brokerUrl, options: { clientId: this.deviceId, clean: true, reconnectPeriod: 500, ...credentials } };
    this.client = await mqtt.connectAsync(brokerUrl, this.connection.options);
  }

  /**
   * Drops the connection and opens a new one without waiting for it, as the firmware does
   * when a frame goes unanswered: what was waiting for an answer fails, frames published
   * next go out once connected. Command subscriptions are not carried over.
   */
  async reconnect(): Promise<void> {
    const connection = this.connection;
    if (!connection) throw new Error(`device ${this.deviceId} was never connected`);
    await this.client?.endAsync(true);
    this.client = mqtt.connect(connection.brokerUrl, connection.options);
  }

  /**
   * The next frame of this device, signed, as the bytes it would send; `timeMs` is what its
   * clock says (a device whose clock was never set says 1970), its uptime runs regardless.
   */
  nextFrameBytes(timeMs = Date.now(), commandAck?: CommandAck): Uint8Array {
    this.frameCounter++;
    return signFrame(
      {
        deviceId: this.deviceId,
        counter: this.frameCounter,
        deviceTimeMs: timeMs,
        uptimeMs: Date.now() - this.startedAtMs,
        samples: commandAck ? [] : sampleAll(this.sensors, timeMs),
        commandAck,
      },
      this.keys.privateKey,
    );
  }

  /** Subscribes to its command topic and answers every command, checked against the gateway's command key. */
  async acceptCommands(gatewayCommandKeyPoint: Uint8Array): Promise<void> {
    const client = this.client;
    if (!client) throw new Error(`device ${this.deviceId} is not connected`);
    const checker = new CommandChecker(this.deviceId, gatewayCommandKeyPoint);
    client.on("message", (topic, payload) => {
      if (topic !== commandTopic(this.deviceId)) return;
      const checked = checker.check(payload);
      this.commands.push(checked);
      const ack = this.nextFrameBytes(Date.now(), { commandId: checked.commandId, result: checked.result });
      void client.publishAsync(statusTopic(this.deviceId), Buffer.from(ack), { qos: 1 });
    });
    await client.subscribeAsync(commandTopic(this.deviceId), { qos: 1 });
  }

  /** Publishes one frame; resolves when the gateway acknowledged it (stored or rejected). */
  async publishFrame(bytes = this.nextFrameBytes()): Promise<void> {
    if (!this.client) throw new Error(`device ${this.deviceId} is not connected`);
    await this.client.publishAsync(frameTopic(this.deviceId), Buffer.from(bytes), { qos: 1 });
    this.framesAcked++;
  }

  /** Publishes arbitrary bytes on any topic, as a misbehaving device would; does not wait for an answer. */
  publishRaw(topic: string, payload: Uint8Array): void {
    if (!this.client) throw new Error(`device ${this.deviceId} is not connected`);
    this.client.publish(topic, Buffer.from(payload), { qos: 1 });
  }

  /** Resolves when the broker next drops this device's connection. */
  offline(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error(`device ${this.deviceId} is not connected`);
    return new Promise((resolve) => client.once("offline", () => resolve()));
  }

  /** Publishes a frame every `intervalMs` until stopped. */
  run(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      this.publishFrame().catch(onError);
    }, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // Forced: a frame the gateway keeps refusing would otherwise hold the disconnect forever.
    await this.client?.endAsync(true);
    this.client = undefined;
  }
}

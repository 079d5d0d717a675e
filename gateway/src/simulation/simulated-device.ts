import mqtt, { type MqttClient } from "mqtt";
import { frameTopic } from "../ingest/mqtt-topics.js";
import { generateDeviceKeys, signFrame, type DeviceKeys } from "./frame-signer.js";
import { referenceSensors, sampleAll, type SensorSignal } from "./sensor-signals.js";

/**
 * A sensor node that speaks the device wire contract over MQTT: signed frames with a
 * strictly increasing counter, published at QoS 1.
 */
export class SimulatedDevice {
  readonly deviceId: string;
  readonly keys: DeviceKeys;
  private readonly sensors: SensorSignal[];
  private readonly startedAtMs = Date.now();
  private frameCounter = 0;
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  framesAcked = 0;

  constructor(deviceId: string, options: { keys?: DeviceKeys; sensors?: SensorSignal[] } = {}) {
    this.deviceId = deviceId;
    this.keys = options.keys ?? generateDeviceKeys();
    this.sensors = options.sensors ?? referenceSensors();
  }

  get publicKeyPoint(): Uint8Array {
    return this.keys.publicKeyPoint;
  }

  /** The counter of the last frame made. */
  get counter(): number {
    return this.frameCounter;
  }

  async connect(brokerUrl: string): Promise<void> {
    this.client = await mqtt.connectAsync(brokerUrl, { clientId: this.deviceId, clean: true, reconnectPeriod: 500 });
  }

  /** The next frame of this device, signed, as the bytes it would send. */
  nextFrameBytes(timeMs = Date.now()): Uint8Array {
    this.frameCounter++;
    return signFrame(
      {
        deviceId: this.deviceId,
        counter: this.frameCounter,
        deviceTimeMs: timeMs,
        uptimeMs: timeMs - this.startedAtMs,
        samples: sampleAll(this.sensors, timeMs),
      },
      this.keys.privateKey,
    );
  }

  /** Publishes one frame; resolves when the gateway acknowledged it (stored or rejected). */
  async publishFrame(bytes = this.nextFrameBytes()): Promise<void> {
    if (!this.client) throw new Error(`device ${this.deviceId} is not connected`);
    await this.client.publishAsync(frameTopic(this.deviceId), Buffer.from(bytes), { qos: 1 });
    this.framesAcked++;
  }

  /** Publishes a frame every `intervalMs` until stopped. */
  run(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      this.publishFrame().catch(onError);
    }, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.client?.endAsync();
    this.client = undefined;
  }
}

import { Channel, type Sample } from "@intelledger/proto/device";

/** One sensor channel of a simulated device: a smooth signal with noise, in fixed point. */
export interface SensorSignal {
  channel: Channel;
  index: number;
  scale: number;
  read(timeMs: number): number;
}

function gaussianNoise(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

function signal(channel: Channel, scale: number, shape: (timeMs: number) => number, noise: number): SensorSignal {
  return { channel, index: 0, scale, read: (timeMs) => Math.round((shape(timeMs) + noise * gaussianNoise()) * 10 ** scale) };
}

const HOUR_MS = 3_600_000;

/** DHT22 temperature and humidity and MPU6050 vibration, as on the reference node. */
export function referenceSensors(phase = Math.random()): SensorSignal[] {
  return [
    signal(Channel.CHANNEL_TEMPERATURE, 2, (t) => 24 + 3 * Math.sin((2 * Math.PI * t) / (24 * HOUR_MS) + phase * 6), 0.1),
    signal(Channel.CHANNEL_HUMIDITY, 1, (t) => 45 + 5 * Math.sin((2 * Math.PI * t) / (6 * HOUR_MS) + phase * 6), 0.5),
    signal(Channel.CHANNEL_VIBRATION, 3, (t) => 0.2 + 0.05 * Math.sin((2 * Math.PI * t) / 60_000), 0.02),
  ];
}

export function sampleAll(sensors: readonly SensorSignal[], timeMs: number): Sample[] {
  return sensors.map((sensor) => ({
    channel: sensor.channel,
    index: sensor.index,
    timestampMs: timeMs,
    value: sensor.read(timeMs),
    scale: sensor.scale,
  }));
}

// Runs in a worker thread of the ingest bench: publishes pre-signed frames over MQTT as
// fast as the gateway acknowledges them, or at a fixed rate, and reports PUBACK latencies.
import { parentPort, workerData } from "node:worker_threads";
import mqtt from "mqtt";

interface PublisherJob {
  url: string;
  frames: { deviceId: string; topic: string; bytes: Uint8Array }[];
  clients: number;
  inFlightPerClient: number;
  /** Frames per second for a latency run; 0 publishes as fast as acknowledged. */
  ratePerSecond: number;
}

const job = workerData as PublisherJob;
const clients = await Promise.all(
  Array.from({ length: job.clients }, (_, i) => mqtt.connectAsync(job.url, { clientId: `bench-publisher-${i}`, clean: true })),
);
const latenciesMs: number[] = [];
const started = performance.now();
let next = 0;

async function drive(clientIndex: number): Promise<void> {
  const client = clients[clientIndex];
  if (!client) return;
  const publishOne = async (index: number) => {
    const frame = job.frames[index];
    if (!frame) return;
    if (job.ratePerSecond > 0) {
      const due = started + (index * 1000) / job.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const sent = performance.now();
    await client.publishAsync(frame.topic, Buffer.from(frame.bytes), { qos: 1 });
    latenciesMs.push(performance.now() - sent);
  };
  const lanes = Array.from({ length: job.inFlightPerClient }, async () => {
    for (;;) {
      const index = next++;
      if (index >= job.frames.length) return;
      await publishOne(index);
    }
  });
  await Promise.all(lanes);
}

await Promise.all(clients.map((_, i) => drive(i)));
const elapsedMs = performance.now() - started;
await Promise.all(clients.map((client) => client.endAsync()));
parentPort?.postMessage({ elapsedMs, latenciesMs });

// Runs in a worker thread of the ingest bench: publishes pre-signed frames over MQTT as
// fast as the gateway acknowledges them, or at a fixed rate, and reports PUBACK latencies.
// Each device's frames go over one connection in the order it numbered them, as a device
// sends them: frames of one device spread over connections could overtake each other.
import { parentPort, workerData } from "node:worker_threads";
import { QosOneConnection } from "@intelledger/test-support";

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
  Array.from({ length: job.clients }, (_, i) => QosOneConnection.open(job.url, `bench-publisher-${i}`)),
);
// Devices are shared out over the connections in turn; each connection's frames stay in order.
const connectionOf = new Map<string, number>();
const framesOf = clients.map((): number[] => []);
job.frames.forEach((frame, index) => {
  let connection = connectionOf.get(frame.deviceId);
  if (connection === undefined) {
    connection = connectionOf.size % clients.length;
    connectionOf.set(frame.deviceId, connection);
  }
  framesOf[connection]?.push(index);
});
const payloads = job.frames.map((frame) => Buffer.from(frame.bytes));
// Connected: the bench starts measuring when it says go, so connecting is not counted.
parentPort?.postMessage({ ready: true });
await new Promise((resolve) => parentPort?.once("message", resolve));
const latenciesMs: number[] = [];
const started = performance.now();
const cpuStarted = process.threadCpuUsage();

async function drive(client: QosOneConnection, indices: readonly number[]): Promise<void> {
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const acknowledged: Promise<void>[] = [];
  for (const index of indices) {
    const frame = job.frames[index];
    if (!frame) continue;
    if (job.ratePerSecond > 0) {
      const wait = started + (index * 1000) / job.ratePerSecond - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    while (inFlight >= job.inFlightPerClient) await new Promise<void>((resolve) => (slotFreed = resolve));
    inFlight++;
    const sent = performance.now();
    // Published in the loop's order, without waiting for the PUBACK: the connection keeps that order.
    acknowledged.push(
      client.publish(frame.topic, payloads[index] as Buffer).then(() => {
        latenciesMs.push(performance.now() - sent);
        inFlight--;
        slotFreed?.();
        slotFreed = undefined;
      }),
    );
  }
  await Promise.all(acknowledged);
}

await Promise.all(clients.map((client, i) => drive(client, framesOf[i] ?? [])));
const elapsedMs = performance.now() - started;
// This thread's CPU time, which the bench leaves out of the gateway's.
const cpu = process.threadCpuUsage(cpuStarted);
await Promise.all(clients.map((client) => client.close()));
parentPort?.postMessage({ elapsedMs, latenciesMs, cpu });

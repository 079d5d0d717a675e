// A gateway of its own process that only sends heartbeats to the relay and times the
// answers, so the relay's responsiveness is measured apart from the load on the test.
// Prints "ready" on a line of its own once it answers SIGTERM, then the latencies in
// milliseconds as one JSON array when it gets SIGTERM.
import { Metadata } from "@grpc/grpc-js";
import { createRelayClient } from "@intelledger/gateway";

const [address, caCertFile, certFile, keyFile, gatewayId] = process.argv.slice(2) as [string, string, string, string, string];
const client = createRelayClient({ address, serverName: "localhost", caCertFile, certFile, keyFile });
const latencies: number[] = [];
let running = true;
process.on("SIGTERM", () => {
  running = false;
});
console.log("ready");

while (running) {
  const started = performance.now();
  await new Promise<void>((resolve) =>
    client.heartbeat(
      { gatewayId, sentAtMs: Date.now(), backlogBatches: 0, backlogReadings: 0, boot: 0, uptimeMs: 0, softwareVersion: "" },
      new Metadata(),
      { deadline: Date.now() + 30_000 },
      () => resolve(),
    ),
  );
  latencies.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
client.close();
console.log(JSON.stringify(latencies));

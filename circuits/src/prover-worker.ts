// Runs in a worker thread of BatchProverPool: proves one batch per message.
import { parentPort, workerData } from "node:worker_threads";
import { loadBatchArtifacts } from "./artifacts.js";
import { proveBatch } from "./batch-prover.js";
import type { ProverRequest, ProverResponse } from "./prover-pool.js";

// circom_runtime prints a failed assertion to the console before it throws it; the error goes
// back to the caller instead, so this thread stays quiet.
// eslint-disable-next-line no-console -- this silences a library's printout, it logs nothing
console.error = (): void => undefined;

const port = parentPort;
if (port === null) throw new Error("prover-worker runs as a worker thread");
const artifacts = loadBatchArtifacts((workerData as { artifactsDir: string }).artifactsDir);

port.on("message", (request: ProverRequest) => {
  proveBatch(artifacts, request.input).then(
    (result): void => port.postMessage({ id: request.id, result } satisfies ProverResponse),
    (error: unknown): void =>
      port.postMessage({
        id: request.id,
        error: {
          message: error instanceof Error ? error.message : String(error),
          cause: error instanceof Error && error.cause instanceof Error ? error.cause.message : "",
        },
      } satisfies ProverResponse),
  );
});
port.postMessage({ ready: true });

// Runs in a prover (worker thread or child process of BatchProverPool): proves one batch per message.
import { parentPort, workerData } from "node:worker_threads";
import { loadBatchArtifacts } from "./artifacts.js";
import { proveBatch, proveOnCallingThreadOnly } from "./batch-prover.js";
import type { ProverRequest, ProverResponse } from "./prover-messages.js";

// circom_runtime prints a failed assertion to the console before it throws it; the error goes
// back to the caller instead, so this prover stays quiet.
// eslint-disable-next-line no-console -- this silences a library's printout, it logs nothing
console.error = (): void => undefined;

type Reply = ProverResponse | { ready: true };

// A worker thread talks through its parent port; a child process through its IPC channel.
const channel: { reply(message: Reply): void; onRequest(listener: (request: ProverRequest) => void): void } = parentPort
  ? {
      reply: (message) => parentPort?.postMessage(message),
      onRequest: (listener) => parentPort?.on("message", listener),
    }
  : {
      reply: (message) => process.send?.(message),
      onRequest: (listener) => process.on("message", listener),
    };
if (!parentPort && !process.send) throw new Error("prover-worker runs as a worker thread or a forked process");
// The parent going away ends a child process too.
if (!parentPort) process.on("disconnect", () => process.exit(0));

const artifactsDir = parentPort ? (workerData as { artifactsDir: string }).artifactsDir : process.argv[2];
if (artifactsDir === undefined) throw new Error("prover-worker needs the artifacts folder");
const artifacts = loadBatchArtifacts(artifactsDir);
// A prover is sized for a Pi-class gateway: one thread, however many cores.
await proveOnCallingThreadOnly();

channel.onRequest((request) => {
  proveBatch(artifacts, request.input).then(
    (result): void => channel.reply({ id: request.id, result }),
    (error: unknown): void =>
      channel.reply({
        id: request.id,
        error: {
          message: error instanceof Error ? error.message : String(error),
          cause: error instanceof Error && error.cause instanceof Error ? error.cause.message : "",
        },
      }),
  );
});
channel.reply({ ready: true });

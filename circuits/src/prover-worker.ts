// Runs in a prover (worker thread or child process of BatchProverPool): proves one input of its
// circuit (a batch, or a reading's disclosure) per message.
import { parentPort, workerData } from "node:worker_threads";
import { loadCircuitArtifacts, type CircuitName } from "./artifacts.js";
import { proveBatch, proveOnCallingThreadOnly } from "./batch-prover.js";
import type { BatchCircuitInput } from "./circuit-input.js";
import type { ProverRequest, ProverResponse } from "./prover-messages.js";
import { proveDisclosure, type DisclosureCircuitInput } from "./reading-disclosure.js";

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

const { artifactsDir, circuit } = parentPort
  ? (workerData as { artifactsDir: string; circuit: CircuitName })
  : { artifactsDir: process.argv[2], circuit: process.argv[3] as CircuitName };
if (artifactsDir === undefined) throw new Error("prover-worker needs the artifacts folder");
const artifacts = loadCircuitArtifacts(circuit, artifactsDir);
const prove = (input: ProverRequest["input"]) =>
  circuit === "batch-attestation"
    ? proveBatch(artifacts, input as BatchCircuitInput)
    : proveDisclosure(artifacts, input as DisclosureCircuitInput);
// A prover is sized for a Pi-class gateway: one thread, however many cores.
await proveOnCallingThreadOnly();

channel.onRequest((request) => {
  prove(request.input).then(
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

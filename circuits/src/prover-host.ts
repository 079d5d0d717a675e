import { fork } from "node:child_process";
import { setPriority } from "node:os";
import { Worker } from "node:worker_threads";
import type { CircuitName } from "./artifacts.js";
import type { ProverMessage, ProverRequest } from "./prover-messages.js";

/**
 * Where a prover runs. "thread": a worker thread of the calling process. "process": a child
 * process at lower CPU priority, so proving only takes the CPU time ingest leaves, and its
 * memory (snarkjs, the witness generator, curve tables) stays out of the caller's heap.
 */
export type ProverIsolation = "thread" | "process";

/** One running prover, whichever its isolation. */
export interface ProverHost {
  send(request: ProverRequest): void;
  stop(): Promise<void>;
}

/** What a prover's host hears from it. */
export interface ProverEvents {
  message: (message: ProverMessage) => void;
  error: (error: Error) => void;
  /** `signal`: what killed a prover process, if a signal did. */
  exit: (code: number | null, signal?: NodeJS.Signals | null) => void;
}

/** Niceness of prover processes: below every service on the host, above idle work. */
const PROVER_NICENESS = 10;

const entry = new URL("./prover-worker.mjs", import.meta.url);

/**
 * V8 recompiles a WebAssembly function with its optimising compiler once the function has run
 * about this many bytes of code (13 million by default). The witness generator's largest
 * function (290 kB of code, run once per proof) got there at the seventh proof or so, and
 * compiling it took 59 MB for half a second: the prover's peak, 45 MB over the rest of a
 * proof. At 150 times the default it stays on the baseline compiler for over a thousand
 * proofs (a prover is replaced before: PROOFS_PER_PROVER), while the curve arithmetic, which
 * runs billions of bytes of code a proof, is still optimised during the first one; about 4 %
 * more proving time.
 */
const WASM_TIERING_BUDGET = 2_000_000_000;

export function startProverHost(
  isolation: ProverIsolation,
  artifacts: { dir: string; circuit: CircuitName },
  events: ProverEvents,
): ProverHost {
  if (isolation === "thread") {
    const worker = new Worker(entry, { workerData: { artifactsDir: artifacts.dir, circuit: artifacts.circuit } });
    // Ending a thread while it is still loading modules can abort the whole process (a
    // Node.js fault in module teardown), so it is ended once it said it is ready, or is gone.
    const settled = new Promise<void>((resolve) => {
      worker.on("message", (message: ProverMessage) => "ready" in message && resolve());
      worker.once("error", () => resolve()).once("exit", () => resolve());
    });
    worker.on("message", events.message).on("error", events.error).on("exit", events.exit);
    return {
      send: (request) => worker.postMessage(request),
      stop: async () => {
        await settled;
        await worker.terminate();
      },
    };
  }
  const child = fork(entry, [artifacts.dir, artifacts.circuit], {
    // A proof's live JavaScript heap stays under 24 MB (its big buffers live outside the heap);
    // a cap at twice that makes V8 collect before garbage piles up in resident memory.
    execArgv: ["--optimize-for-size", "--max-old-space-size=48", `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`],
    // glibc's malloc keeps what a proof freed (proving-key sections, multi-exponentiation
    // chunks: ArrayBuffers outside the heap) for reuse, in one arena per thread, and hands little
    // back: buffers of 64 kB and more get mappings of their own, returned when freed, and one
    // arena serves every thread. About 25 MB less at the peak of a proof, 30 MB between proofs.
    env: { ...process.env, MALLOC_MMAP_THRESHOLD_: "65536", MALLOC_ARENA_MAX: "1" },
    serialization: "advanced",
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  child
    .on("message", (message) => events.message(message as ProverMessage))
    .on("error", events.error)
    .on("exit", (code, signal) => events.exit(code, signal));
  child.once("spawn", () => {
    if (child.pid !== undefined) setPriority(child.pid, PROVER_NICENESS);
  });
  return {
    send: (request) => child.send(request),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

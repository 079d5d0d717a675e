// Entry point of a prover, in a worker thread or a child process.
import workerThreads from "node:worker_threads";
import { register } from "tsx/esm/api";

// snarkjs does its curve arithmetic in threads started through the `web-worker` package, which
// takes over any thread that is not the main one as a web worker of its own making. This
// thread may present itself as a main thread to it, so that snarkjs starts its helpers normally.
Object.defineProperty(workerThreads, "isMainThread", { value: true });
// Worker threads do not inherit the TypeScript loader of the thread that starts them in every
// host (test runners use their own), nor do child processes, so register it before loading.
register();
await import("./prover-worker.ts");

// Entry point of a proving worker thread.
import workerThreads from "node:worker_threads";
import { register } from "tsx/esm/api";

// snarkjs does its curve arithmetic in threads started through the `web-worker` package, which
// takes over any thread that is not the main one as a web worker of its own making. This
// thread may present itself as a main thread to it, so that snarkjs starts its helpers normally.
Object.defineProperty(workerThreads, "isMainThread", { value: true });
// Worker threads do not inherit the TypeScript loader of the thread that starts them in every
// host (test runners use their own), so register it before loading the worker.
register();
await import("./prover-worker.ts");

// Entry point of the verification worker threads.
import workerThreads from "node:worker_threads";
import { register } from "tsx/esm/api";

// circomlibjs and snarkjs load the `web-worker` package, which takes over any thread that is
// not the main one as a web worker of its own making. This thread may present itself as a
// main thread to it, so that they work as they would there.
Object.defineProperty(workerThreads, "isMainThread", { value: true });
// Worker threads do not inherit the TypeScript loader of the thread that starts them in
// every host (test runners use their own), so register it before loading the worker.
register();
const worker = await import("./verification-worker.ts");
export default worker.default;
export const proofValid = worker.proofValid;
// Tells the pool this thread has loaded its modules and may be ended safely.
workerThreads.parentPort?.postMessage({ verificationWorkerLoaded: true });

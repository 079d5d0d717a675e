// Entry point of the hashing worker threads.
import workerThreads from "node:worker_threads";
import { register } from "tsx/esm/api";

// circomlibjs loads the `web-worker` package, which takes over any thread that is not the
// main one as a web worker of its own making. Its Poseidon runs single-threaded and never
// starts workers, so this thread may present itself as a main thread to it.
Object.defineProperty(workerThreads, "isMainThread", { value: true });
// Worker threads do not inherit the TypeScript loader of the thread that starts them in
// every host (test runners use their own), so register it before loading the worker.
register();
const worker = await import("./readings-root-worker.ts");
export default worker.default;

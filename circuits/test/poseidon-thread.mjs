// A worker thread that hashes with the Poseidon module its parent compiled (workerData) and
// posts back the hash of the inputs it is sent.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { loadPoseidon } = await import("../src/poseidon-hasher.ts");
const hasher = await loadPoseidon(workerData);
parentPort.on("message", (inputs) => parentPort.postMessage(hasher.hash(inputs)));

// Entry point of the thread that copies a database's write-ahead log into the database file
// (see wal-checkpointer.ts). Plain JavaScript: it needs no TypeScript loader in any host.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { path, intervalMs } = workerData;
const db = new Database(path, { fileMustExist: true });
// FULL: the log is synced before its pages are copied, and the database file after.
db.pragma("synchronous = FULL");
const timer = setInterval(() => {
  // PASSIVE copies what no reader still needs and never waits for the writer.
  db.pragma("wal_checkpoint(PASSIVE)");
}, intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});

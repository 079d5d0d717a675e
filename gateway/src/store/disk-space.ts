import { statfsSync } from "node:fs";

/** Whether SQLite failed because the disk holding the database (or its log) has no room left. */
export function isDiskFull(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "SQLITE_FULL";
}

/** Bytes an unprivileged writer can still put on the filesystem holding `path`. */
export function diskFreeBytes(path: string): number {
  const { bavail, bsize } = statfsSync(path);
  return bavail * bsize;
}

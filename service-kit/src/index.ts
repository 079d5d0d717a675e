export { EdgeError } from "./edge-error.js";
export { every } from "./every.js";
export { Lifecycle, PartStopError, startService } from "./lifecycle.js";
export { RateEstimator } from "./rate-estimator.js";
export { SnapshotMetrics } from "./snapshot-metrics.js";
export { DatabaseVersionError, openSqliteDatabase } from "./sqlite-database.js";
export type { SqliteDatabase, SqliteOpenOptions } from "./sqlite-database.js";
export { EXIT, readJsonFile, runCommand, stopOnSignals, usageFailure } from "./service-cli.js";
export type { Stoppable } from "./service-cli.js";

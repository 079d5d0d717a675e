import { generateDeviceKeys, type DeviceKeys } from "@intelledger/test-support";
import { pino, type Logger } from "pino";
import { DeviceAdmission } from "../src/acceptance/device-admission.js";
import { FrameAcceptor, type FrameAcceptorOptions } from "../src/acceptance/frame-acceptor.js";
import { IngestPipeline } from "../src/acceptance/ingest-pipeline.js";
import { RefusalLog } from "../src/acceptance/refusal-log.js";
import { GatewayClock } from "../src/clock/gateway-clock.js";
import { DeviceRegistry } from "../src/devices/device-registry.js";
import { DataClasses } from "../src/store/data-classes.js";
import type { SqliteDatabase } from "../src/store/gateway-database.js";
import { ReadingStore } from "../src/store/reading-store.js";

/** A device the pipeline knows: its id and the key pair it signs with. */
export interface KeyedDevice extends DeviceKeys {
  deviceId: string;
}

/** `count` devices with fresh key pairs, named `${prefix}-0`, `${prefix}-1`, … */
export function keyedDevices(prefix: string, count: number): KeyedDevice[] {
  return Array.from({ length: count }, (_, i) => ({ deviceId: `${prefix}-${i}`, ...generateDeviceKeys() }));
}

/** Admission that neither rate-limits nor quarantines: every frame goes the whole way through the checks. */
export function unlimitedAdmission(): DeviceAdmission {
  return new DeviceAdmission({ framesPerSecond: 1e9, burst: 1e9, maxFailures: 1e9, failureWindowMs: 1, quarantineMs: 1 });
}

export interface IngestPipelineFixtureOptions {
  /** Registered before the first frame. */
  devices: readonly Pick<KeyedDevice, "deviceId" | "publicKeyPoint">[];
  /** Unlimited unless given. */
  admission?: DeviceAdmission;
  frameLimits?: FrameAcceptorOptions;
  clock?: GatewayClock;
  groupCommitDelayMs?: number;
  logger?: Logger;
}

/**
 * The gateway's ingest pipeline over `db` as the gateway wires it, on a disk that is never
 * full and with every data class at its default.
 */
export function ingestPipelineOver(db: SqliteDatabase, options: IngestPipelineFixtureOptions) {
  const logger = options.logger ?? pino({ level: "silent" });
  const registry = new DeviceRegistry(db);
  for (const device of options.devices) registry.register(device.deviceId, device.publicKeyPoint);
  const readings = new ReadingStore(db);
  const refusals = new RefusalLog({ logger, intervalMs: 60_000 });
  const acceptor = new FrameAcceptor(
    registry,
    options.admission ?? unlimitedAdmission(),
    options.frameLimits ?? { maxFrameBytes: 1_024, maxCounterJump: 1_000_000 },
  );
  const pipeline = new IngestPipeline({
    acceptor,
    readings,
    clock: options.clock ?? new GatewayClock({ boot: 1 }),
    dataClasses: new DataClasses({}),
    storage: { full: false },
    storageFullRetryAfterMs: 1_000,
    logger,
    refusals,
    groupCommitDelayMs: options.groupCommitDelayMs ?? 2,
  });
  return { pipeline, registry, readings, refusals };
}

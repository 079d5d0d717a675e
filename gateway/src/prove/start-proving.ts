import { BatchProverPool, type PoseidonHasher } from "@intelledger/circuits";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config.js";
import type { BatchStore } from "../batch/batch-store.js";
import type { ProofStore } from "./proof-store.js";
import type { ReadingStore } from "../store/reading-store.js";
import { every } from "@intelledger/service-kit";
import { BatchProverService } from "./batch-prover-service.js";

/** How often the prover service looks for batches to prove (only when a prover is free). */
const PROVING_CHECK_INTERVAL_MS = 500;

export interface RunningProving {
  /** Batches being proved now. */
  readonly pending: number;
  readonly failures: number;
  stop(): Promise<void>;
}

/** The prover pool and the service feeding it sealed batches; undefined when proving is off. */
export function startProving(options: {
  config: GatewayConfig["proving"];
  hasher: PoseidonHasher;
  gatewayId: string;
  batches: BatchStore;
  readings: ReadingStore;
  proofs: ProofStore;
  logger: Logger;
  onProved: () => void;
}): RunningProving | undefined {
  const { config, logger, ...service } = options;
  if (!config.enabled) return undefined;
  const pool = new BatchProverPool({ threads: config.provers, isolation: config.isolation, maxQueued: config.maxQueued });
  const prover = new BatchProverService({ ...service, pool, logger: logger.child({ component: "prover" }) });
  const stopQueueing = every(
    PROVING_CHECK_INTERVAL_MS,
    () => prover.queueDue(),
    (error) => logger.error({ err: error }, "queueing batches for proving failed"),
  );
  return {
    get pending() {
      return prover.pending;
    },
    get failures() {
      return prover.counters.failed;
    },
    async stop() {
      await stopQueueing();
      await pool.close();
    },
  };
}

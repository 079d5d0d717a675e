import { BatchProverPool, type PoseidonHasher } from "@intelledger/circuits";
import type { Logger } from "pino";
import type { BatchOutbox } from "../batch/batch-outbox.js";
import type { GatewayConfig } from "../config.js";
import { BatchProverService } from "./batch-prover-service.js";

export interface RunningProving {
  /** Batches being proved now. */
  readonly pending: number;
  readonly failures: number;
  /** Hands batches that need a proof to the provers that are free; the outbox scheduler calls it. */
  queueDue(): void;
  stop(): Promise<void>;
}

/** The prover pool and the service feeding it sealed batches; undefined when proving is off. */
export function startProving(options: {
  config: GatewayConfig["proving"];
  hasher: PoseidonHasher;
  outbox: BatchOutbox;
  logger: Logger;
  /** Told when a prover dies; the provers are then started again by whoever started them. */
  failed: (error: Error) => void;
}): RunningProving | undefined {
  const { config, logger, failed, ...service } = options;
  if (!config.enabled) return undefined;
  const pool = new BatchProverPool({
    threads: config.provers,
    isolation: config.isolation,
    maxQueued: config.maxQueued,
    onProverExit: failed,
  });
  const prover = new BatchProverService({ ...service, pool, logger: logger.child({ component: "prover" }) });
  return {
    get pending() {
      return prover.pending;
    },
    get failures() {
      return prover.counters.failed;
    },
    queueDue: () => prover.queueDue(),
    stop: () => pool.close(),
  };
}

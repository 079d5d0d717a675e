import type { Gateway } from "@intelledger/gateway";
import { waitFor } from "./soak-helpers.js";

/**
 * Waits until the gateway has sealed every reading it holds and its relay has taken every batch
 * and every batch's proof (proving takes minutes on a loaded machine).
 */
export async function waitForEverythingUploaded(gateway: Gateway): Promise<void> {
  await waitFor(() => gateway.batches.totals().sealedReadings === gateway.readings.count(), 60_000, "every reading sealed");
  await waitFor(() => gateway.batches.totals().acked === gateway.batches.totals().sealed, 120_000, "every batch taken");
  await waitFor(
    () => gateway.batches.proofTotals().uploaded === gateway.batches.totals().sealed,
    600_000,
    "every batch proved and its proof taken",
  );
}

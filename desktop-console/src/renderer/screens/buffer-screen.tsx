import { request } from "../bridge-client.js";
import { ErrorNote } from "../components/error-note.js";
import { FigureList } from "../components/figure-list.js";
import { usePolled } from "../components/use-polled.js";
import { formatAgo, formatAutonomy, formatBytes } from "../format.js";

/** How long the gateway can hold out without its relay: backlog, disk against quota, autonomy, quota policy. */
export function BufferScreen() {
  const status = usePolled(() => request("gateway.status", {}), 2_000);
  const config = usePolled(() => request("config.get", {}), 0);
  const figures = status.value;
  const storage = (config.value?.config["storage"] ?? {}) as { policy?: string; retainAckedDays?: number };
  return (
    <section aria-labelledby="buffer-title">
      <h1 id="buffer-title">Buffer health</h1>
      <ErrorNote error={status.error ?? config.error} />
      {figures && (
        <>
          <label for="disk-use">
            Disk used: {formatBytes(figures.storage.bytesUsed)} of the quota of {formatBytes(figures.storage.quotaBytes)}
          </label>
          <meter
            id="disk-use"
            min={0}
            max={figures.storage.quotaBytes}
            high={figures.storage.quotaBytes * 0.9}
            value={figures.storage.bytesUsed}
          />
          {figures.storage.full && (
            <p class="error" role="alert">
              The quota is full: new frames are refused until space frees up. Restore the uplink, raise storage.quotaBytes, or
              choose another quota policy on the Configuration screen.
            </p>
          )}
          <FigureList
            figures={[
              ["Readings not yet acknowledged by the relay", `${figures.backlog.readings} in ${figures.backlog.batches} batches`],
              [
                "Oldest unsent batch sealed",
                figures.backlog.oldestSealedAtMs === undefined ? "none" : formatAgo(figures.backlog.oldestSealedAtMs),
              ],
              ["Days of autonomy at the current rate", formatAutonomy(figures.storage.daysOfAutonomy)],
              ["Readings in per second", figures.storage.ingestReadingsPerSecond.toFixed(1)],
              ["Quota policy", storage.policy ?? "backpressure"],
              [
                "Acknowledged readings kept",
                storage.retainAckedDays === undefined ? "default" : `${storage.retainAckedDays} days`,
              ],
              [
                "Pruned to stay within the quota",
                `${figures.storage.readingsPruned} readings, ${figures.storage.batchesPruned} batches`,
              ],
            ]}
          />
        </>
      )}
    </section>
  );
}

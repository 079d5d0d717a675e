import { request } from "../bridge-client.js";
import { ErrorNote } from "../components/error-note.js";
import { usePolled } from "../components/use-polled.js";
import { formatAgo, formatBytes } from "../format.js";

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
          <dl class="figures">
            <div>
              <dt>Readings not yet acknowledged by the relay</dt>
              <dd>
                {figures.backlog.readings} in {figures.backlog.batches} batches
              </dd>
            </div>
            <div>
              <dt>Oldest unsent batch sealed</dt>
              <dd>{figures.backlog.oldestSealedAtMs === undefined ? "none" : formatAgo(figures.backlog.oldestSealedAtMs)}</dd>
            </div>
            <div>
              <dt>Days of autonomy at the current rate</dt>
              <dd>{Number.isFinite(figures.storage.daysOfAutonomy) ? figures.storage.daysOfAutonomy.toFixed(1) : "unlimited"}</dd>
            </div>
            <div>
              <dt>Readings in per second</dt>
              <dd>{figures.storage.ingestReadingsPerSecond.toFixed(1)}</dd>
            </div>
            <div>
              <dt>Quota policy</dt>
              <dd>{storage.policy ?? "backpressure"}</dd>
            </div>
            <div>
              <dt>Acknowledged readings kept</dt>
              <dd>{storage.retainAckedDays === undefined ? "default" : `${storage.retainAckedDays} days`}</dd>
            </div>
            <div>
              <dt>Pruned to stay within the quota</dt>
              <dd>
                {figures.storage.readingsPruned} readings, {figures.storage.batchesPruned} batches
              </dd>
            </div>
          </dl>
        </>
      )}
    </section>
  );
}

import { useState } from "preact/hooks";
import { request } from "../bridge-client.js";
import { DataTable } from "../components/data-table.js";
import { ErrorNote } from "../components/error-note.js";
import { FigureList } from "../components/figure-list.js";
import { LiveChart } from "../components/live-chart.js";
import { SubsystemsTable } from "../components/subsystems-table.js";
import { usePolled } from "../components/use-polled.js";
import { useLiveStore } from "../live-store.js";
import { formatAutonomy, formatBytes, formatTime } from "../format.js";

/** The gateway at a glance: its figures, live charts of readings, the latest reading of each stream, anomalies. */
export function DashboardScreen() {
  const live = useLiveStore();
  const status = usePolled(() => request("gateway.status", {}), 2_000);
  const channels = [...live.series.keys()].sort();
  const [channel, setChannel] = useState<string | undefined>();
  const shown = channel ?? channels[0];
  const figures = status.value;
  const latest = [...live.latest.entries()].sort(([a], [b]) => a.localeCompare(b));

  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <ErrorNote error={status.error} />
      {figures && (
        <FigureList
          figures={[
            ["Readings stored", figures.readingsStored],
            ["Batches sealed / acknowledged", `${figures.batchesSealed} / ${figures.batchesAcked}`],
            ["Disk used of quota", `${formatBytes(figures.storage.bytesUsed)} of ${formatBytes(figures.storage.quotaBytes)}`],
            ["Days of autonomy at the current rate", formatAutonomy(figures.storage.daysOfAutonomy)],
            ["Readings per second", figures.storage.ingestReadingsPerSecond.toFixed(1)],
            ["Uplink", figures.uplink?.state ?? "not enrolled"],
          ]}
        />
      )}

      {figures && <SubsystemsTable subsystems={figures.subsystems} />}

      <h2>Live readings</h2>
      <p aria-live="polite" class={`live-state ${live.state}`}>
        Live stream: {live.state}
        {live.state === "closed" && live.stateDetail && ` (${live.stateDetail})`}
      </p>
      {channels.length === 0 ? (
        <p>No readings yet. Readings appear here as soon as the gateway stores them.</p>
      ) : (
        <>
          <div class="tabs" role="group" aria-label="Channel shown in the chart">
            {channels.map((name) => (
              <button type="button" key={name} aria-pressed={name === shown} onClick={() => setChannel(name)}>
                {name}
              </button>
            ))}
          </div>
          {shown && <LiveChart title={shown} streams={live.series.get(shown) ?? new Map()} />}
        </>
      )}

      <h2>Latest reading of each stream</h2>
      <DataTable class="readings" columns={["Device", "Channel", "Value", "Time", "Transport"]}>
        {latest.map(([stream, reading]) => (
          <tr key={stream} data-stream={stream} data-durable-at={reading.durableAtMs}>
            <td>{reading.deviceId}</td>
            <td>
              {reading.channel}
              {reading.index ? ` #${reading.index}` : ""}
            </td>
            <td>{reading.value.toFixed(2)}</td>
            <td>{formatTime(reading.timestampMs)}</td>
            <td>{reading.transport}</td>
          </tr>
        ))}
      </DataTable>

      <h2>Anomalies</h2>
      {live.anomalies.length === 0 ? (
        <p>No anomaly flagged since the console connected.</p>
      ) : (
        <ul class="anomalies">
          {live.anomalies.map((anomaly) => (
            <li key={`${anomaly.receivedAtMs}-${anomaly.deviceId}-${anomaly.channel}`}>
              {formatTime(anomaly.receivedAtMs)}: {anomaly.deviceId} {anomaly.channel}, score {anomaly.score.toFixed(2)} over{" "}
              {anomaly.threshold}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

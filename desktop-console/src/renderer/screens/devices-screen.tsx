import { useState } from "preact/hooks";
import type { BridgeError, DeviceView } from "../../shared/bridge-types.js";
import { failureOf, request } from "../bridge-client.js";
import { DataTable } from "../components/data-table.js";
import { DeviceCommandForm } from "../components/device-command-form.js";
import { DeviceSettingsForm } from "../components/device-settings-form.js";
import { ErrorNote } from "../components/error-note.js";
import { KeyRotationForm } from "../components/key-rotation-form.js";
import { usePolled } from "../components/use-polled.js";
import { formatAgo } from "../format.js";

function rejections(device: DeviceView): string {
  const entries = Object.entries(device.activity.rejected).filter(([, count]) => count > 0);
  return entries.length === 0 ? "none" : entries.map(([reason, count]) => `${reason} ${count}`).join(", ");
}

function limits(device: DeviceView): string {
  const bounds = device.settings.streamBounds.map((bound) => `${bound.channel} ${bound.min}…${bound.max}`);
  const thresholds = Object.entries(device.settings.thresholds.channels).map(([channel, value]) => `${channel} > ${value}`);
  if (device.settings.thresholds.default !== undefined) thresholds.unshift(`default > ${device.settings.thresholds.default}`);
  return [...bounds, ...thresholds].join("; ") || "defaults";
}

/** Every device with what it is doing, and the lifecycle actions a technician takes on one. */
export function DevicesScreen({ onAddDevice }: { onAddDevice: () => void }) {
  const devices = usePolled(() => request("devices.list", {}), 2_000);
  const [error, setError] = useState<BridgeError | undefined>();
  const [done, setDone] = useState("");
  const [confirming, setConfirming] = useState<string | undefined>();
  const [typedId, setTypedId] = useState("");
  const [editing, setEditing] = useState<string | undefined>();
  const [rotating, setRotating] = useState<string | undefined>();
  const [commanding, setCommanding] = useState<string | undefined>();

  const list = devices.value ?? [];
  const act = async (device: DeviceView, action: "deactivate" | "reactivate" | "release" | "decommission") => {
    setError(undefined);
    setDone("");
    try {
      await request("devices.action", { deviceId: device.deviceId, action });
      setDone(`${device.deviceId}: ${action} done.`);
      setConfirming(undefined);
      devices.reload();
    } catch (failure) {
      setError(failureOf(failure));
    }
  };

  return (
    <section aria-labelledby="devices-title">
      <h1 id="devices-title">Devices</h1>
      <button type="button" onClick={onAddDevice}>
        Add a device over USB
      </button>
      <ErrorNote error={error ?? devices.error} />
      <p aria-live="polite">{done}</p>
      {confirming && (
        <form
          class="confirm"
          onSubmit={(event) => {
            event.preventDefault();
            const device = list.find((candidate) => candidate.deviceId === confirming);
            if (device && typedId === confirming) void act(device, "decommission");
          }}
        >
          <p>
            Decommissioning {confirming} is final: its frames are refused, its MQTT login is gone and its id is never used again.
            Its readings stay.
          </p>
          <label for="confirm-id">Type {confirming} to confirm</label>
          <input id="confirm-id" value={typedId} onInput={(event) => setTypedId(event.currentTarget.value)} />
          <button type="submit" class="danger" disabled={typedId !== confirming}>
            Decommission for good
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(undefined)}>
            Cancel
          </button>
        </form>
      )}
      {list.length === 0 ? (
        <p>No device registered yet. Plug one into this computer and add it over USB.</p>
      ) : (
        <DataTable
          class="devices"
          columns={[
            "Device",
            "State",
            "Transport",
            "Last seen",
            "Readings/s",
            "Frames stored",
            "Refused by reason",
            "Bounds and thresholds",
            "Actions",
          ]}
        >
          {list.map((device) => (
            <tr key={device.deviceId} data-device={device.deviceId}>
              <th scope="row">{device.deviceId}</th>
              <td>
                {device.status}
                {device.quarantine.quarantined && ` — quarantined for ${Math.ceil(device.quarantine.remainingMs / 1000)} s`}
              </td>
              <td>{device.transport ?? "—"}</td>
              <td>{formatAgo(device.lastSeenMs)}</td>
              <td>{device.activity.readingsPerSecond.toFixed(1)}</td>
              <td>{device.activity.framesAccepted}</td>
              <td>{rejections(device)}</td>
              <td>{limits(device)}</td>
              <td class="actions">
                <button type="button" class="secondary" onClick={() => setEditing(device.deviceId)}>
                  Bounds and thresholds of {device.deviceId}
                </button>
                {device.status === "active" && (
                  <button type="button" class="secondary" onClick={() => setCommanding(device.deviceId)}>
                    Commands for {device.deviceId}
                  </button>
                )}
                {device.status !== "decommissioned" && (
                  <button type="button" class="secondary" onClick={() => setRotating(device.deviceId)}>
                    Rotate the key of {device.deviceId}
                  </button>
                )}
                {device.quarantine.quarantined && (
                  <button type="button" onClick={() => void act(device, "release")}>
                    Release {device.deviceId}
                  </button>
                )}
                {device.status === "active" && (
                  <button type="button" class="secondary" onClick={() => void act(device, "deactivate")}>
                    Deactivate {device.deviceId}
                  </button>
                )}
                {device.status === "inactive" && (
                  <button type="button" onClick={() => void act(device, "reactivate")}>
                    Reactivate {device.deviceId}
                  </button>
                )}
                {device.status !== "decommissioned" && (
                  <button type="button" class="danger" onClick={() => setConfirming(device.deviceId)}>
                    Decommission {device.deviceId}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {editing && list.some((device) => device.deviceId === editing) && (
        <DeviceSettingsForm
          key={editing}
          device={list.find((device) => device.deviceId === editing) as DeviceView}
          onSaved={() => {
            setDone(`${editing}: settings saved; they apply from its next frame.`);
            setEditing(undefined);
            devices.reload();
          }}
        />
      )}
      {commanding && <DeviceCommandForm key={commanding} deviceId={commanding} />}
      {rotating && (
        <KeyRotationForm
          key={rotating}
          deviceId={rotating}
          onDone={() => {
            setDone(`${rotating}: key rotated; its key history keeps the old key with the handover.`);
            setRotating(undefined);
            devices.reload();
          }}
        />
      )}
    </section>
  );
}

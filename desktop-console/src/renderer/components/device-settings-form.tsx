import { useState } from "preact/hooks";
import type { BridgeError, DeviceView } from "../../shared/bridge-types.js";
import { failureOf, request } from "../bridge-client.js";
import { DataTable } from "./data-table.js";
import { ErrorNote } from "./error-note.js";

const CHANNELS = ["temperature", "humidity", "vibration", "analog"] as const;
type Row = { min: string; max: string; threshold: string };

const text = (value: number | undefined) => (value === undefined ? "" : String(value));
const numberOrUndefined = (value: string) => (value.trim() === "" ? undefined : Number(value));

/**
 * One device's bounds (the range its proof shows every value lies in) and anomaly thresholds,
 * per channel; saved as the device's settings, its data classes kept as they are.
 */
export function DeviceSettingsForm({ device, onSaved }: { device: DeviceView; onSaved: () => void }) {
  const { settings } = device;
  const [defaultThreshold, setDefaultThreshold] = useState(text(settings.thresholds.default));
  const [rows, setRows] = useState<Record<string, Row>>(() =>
    Object.fromEntries(
      CHANNELS.map((channel) => {
        const bound = settings.streamBounds.find((entry) => entry.channel === channel && entry.index === undefined);
        return [
          channel,
          { min: text(bound?.min), max: text(bound?.max), threshold: text(settings.thresholds.channels[channel]) },
        ];
      }),
    ),
  );
  const [error, setError] = useState<BridgeError | undefined>();
  const [saving, setSaving] = useState(false);

  const edit = (channel: string, field: keyof Row, value: string) =>
    setRows((current) => ({
      ...current,
      [channel]: { ...(current[channel] ?? { min: "", max: "", threshold: "" }), [field]: value },
    }));

  const save = async () => {
    setError(undefined);
    const halfBounded = CHANNELS.filter((channel) => (rows[channel]?.min.trim() === "") !== (rows[channel]?.max.trim() === ""));
    if (halfBounded.length > 0) {
      setError({ code: "invalid_input", message: `give both the lowest and the highest value of ${halfBounded.join(", ")}` });
      return;
    }
    setSaving(true);
    const bounded = CHANNELS.flatMap((channel) => {
      const min = numberOrUndefined(rows[channel]?.min ?? "");
      const max = numberOrUndefined(rows[channel]?.max ?? "");
      return min === undefined || max === undefined ? [] : [{ channel, min, max }];
    });
    const thresholds = Object.fromEntries(
      CHANNELS.flatMap((channel) => {
        const value = numberOrUndefined(rows[channel]?.threshold ?? "");
        return value === undefined ? [] : [[channel, value]];
      }),
    );
    const fallback = numberOrUndefined(defaultThreshold);
    try {
      await request("devices.settings", {
        deviceId: device.deviceId,
        settings: {
          // Bounds on single sensors of a channel are kept as they are; this form edits whole channels.
          streamBounds: [...settings.streamBounds.filter((entry) => entry.index !== undefined), ...bounded],
          dataClasses: settings.dataClasses,
          thresholds: { ...(fallback !== undefined && { default: fallback }), channels: thresholds },
        },
      });
      onSaved();
    } catch (failure) {
      setError(failureOf(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      class="device-settings"
      aria-label={`Settings of ${device.deviceId}`}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h2>Bounds and thresholds of {device.deviceId}</h2>
      <p>
        Bounds are inclusive, in the channel's unit (°C, %RH, m/s² RMS, mV): each batch's proof shows every value lies within
        them. A threshold flags readings whose anomaly score is above it. Leave a field empty for none.
      </p>
      <DataTable columns={["Channel", "Lowest value", "Highest value", "Anomaly threshold"]}>
        {CHANNELS.map((channel) => (
          <tr key={channel}>
            <th scope="row">{channel}</th>
            {(["min", "max", "threshold"] as const).map((field) => (
              <td key={field}>
                <input
                  type="number"
                  step="any"
                  aria-label={`${channel} ${field === "min" ? "lowest value" : field === "max" ? "highest value" : "anomaly threshold"}`}
                  value={rows[channel]?.[field] ?? ""}
                  onInput={(event) => edit(channel, field, event.currentTarget.value)}
                />
              </td>
            ))}
          </tr>
        ))}
      </DataTable>
      <label for="default-threshold">Threshold for the other channels</label>
      <input
        id="default-threshold"
        type="number"
        step="any"
        value={defaultThreshold}
        onInput={(event) => setDefaultThreshold(event.currentTarget.value)}
      />
      <button type="submit" disabled={saving}>
        Save the settings of {device.deviceId}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

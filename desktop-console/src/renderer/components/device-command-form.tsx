import { useState } from "preact/hooks";
import type { BridgeInput } from "../../shared/bridge-types.js";
import { request } from "../bridge-client.js";
import { ErrorNote } from "./error-note.js";
import { useAction } from "./use-action.js";

type Action = BridgeInput<"devices.command">["action"];

/** What each answer of a device means to the technician. */
const RESULTS: Record<string, string> = {
  applied: "the device applied it",
  bad_signature: "the device refused the gateway's signature: provision it again with this gateway's command key",
  replayed: "the device had seen this command already: send it again",
  wrong_device: "the command reached another device: check which device is on this link",
  invalid: "the device refused the command's values",
};

/** Sends a device a command now (signed by the gateway, acknowledged by the device) and shows its answer. */
export function DeviceCommandForm({ deviceId }: { deviceId: string }) {
  const [type, setType] = useState<Action["type"]>("setSamplingInterval");
  const [intervalMs, setIntervalMs] = useState("1000");
  const sending = useAction();
  const busy = sending.running !== undefined;

  const send = () =>
    sending.run("send", async () => {
      const action: Action = type === "reboot" ? { type } : { type, intervalMs: Number(intervalMs) };
      const outcome = await request("devices.command", { deviceId, action });
      return `${deviceId}: command ${outcome.commandId} ${outcome.result}: ${RESULTS[outcome.result] ?? outcome.result}.`;
    });

  return (
    <form
      class="command"
      aria-labelledby="command-title"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <h2 id="command-title">Send {deviceId} a command</h2>
      <label for="command-type">Command</label>
      <select id="command-type" value={type} onChange={(event) => setType(event.currentTarget.value as Action["type"])}>
        <option value="setSamplingInterval">Set the sampling interval</option>
        <option value="reboot">Restart the device</option>
      </select>
      {type === "setSamplingInterval" && (
        <>
          <label for="command-interval">Sampling interval (ms, 10 to 86,400,000)</label>
          <input
            id="command-interval"
            inputMode="numeric"
            value={intervalMs}
            onInput={(event) => setIntervalMs(event.currentTarget.value.trim())}
          />
        </>
      )}
      <button type="submit" disabled={busy}>
        Send the command to {deviceId}
      </button>
      {busy && <p aria-live="polite">Waiting for {deviceId} to acknowledge (up to the gateway's commands.timeoutMs)…</p>}
      <ErrorNote error={sending.error} />
      <p role="status" class="success">
        {sending.outcome}
      </p>
    </form>
  );
}

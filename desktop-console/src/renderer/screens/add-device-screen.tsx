import { useEffect, useState } from "preact/hooks";
import { PROVISIONING_STEPS } from "../../shared/bridge-constants.js";
import type {
  BridgeError,
  ProvisioningOutcome,
  ProvisioningProgress,
  ProvisioningStep,
  SerialPortChoice,
} from "../../shared/bridge-types.js";
import { failureOf, onBridgeEvent, request } from "../bridge-client.js";
import { ErrorNote } from "../components/error-note.js";

const STEP_NAMES: Record<ProvisioningStep, string> = {
  check: "Check the settings",
  exchange: "Provision the device",
  register: "Register it with the gateway",
};

/** USB provisioning of a device plugged into this computer, step by step with a progress bar. */
export function AddDeviceScreen() {
  const [ports, setPorts] = useState<SerialPortChoice[]>([]);
  const [port, setPort] = useState("");
  const [deviceId, setDeviceId] = useState("");
  const [intervalMs, setIntervalMs] = useState("1000");
  const [link, setLink] = useState<"serial" | "ble">("serial");
  const [steps, setSteps] = useState<Partial<Record<ProvisioningStep, ProvisioningProgress>>>({});
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<ProvisioningOutcome | undefined>();
  const [error, setError] = useState<BridgeError | undefined>();

  const listPorts = () =>
    request("usb.ports", {}).then(
      (found) => {
        setPorts(found);
        if (!port && found[0]) setPort(found[0].path);
      },
      (failure: unknown) => setError(failureOf(failure)),
    );

  useEffect(() => {
    void listPorts();
    return onBridgeEvent((event) => {
      if (event.kind === "provisioning") setSteps((shown) => ({ ...shown, [event.progress.step]: event.progress }));
    });
  }, []);

  const start = async () => {
    setRunning(true);
    setSteps({});
    setOutcome(undefined);
    setError(undefined);
    try {
      setOutcome(await request("usb.provision", { port: port.trim(), deviceId, samplingIntervalMs: Number(intervalMs), link }));
    } catch (failure) {
      setError(failureOf(failure));
    } finally {
      setRunning(false);
    }
  };

  const doneSteps = PROVISIONING_STEPS.filter((step) => steps[step]?.state === "done").length;
  return (
    <section aria-labelledby="add-device-title">
      <h1 id="add-device-title">Add a device over USB</h1>
      <p>
        Plug the device into this computer with its USB cable. A new device waits for provisioning; a device provisioned before
        takes new settings only after its BOOT button is held for 3 seconds.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <label for="port-choice">Serial port</label>
        <select id="port-choice" value={port} onChange={(event) => setPort(event.currentTarget.value)}>
          {ports.length === 0 && <option value="">no serial port found</option>}
          {ports.map((choice) => (
            <option key={choice.path} value={choice.path}>
              {choice.path} — {choice.description}
              {choice.likelyDevice ? " (looks like an ESP32 board)" : ""}
            </option>
          ))}
        </select>
        <button type="button" class="secondary" onClick={() => void listPorts()}>
          List ports again
        </button>
        <label for="port-path">Or type the port's path</label>
        <input id="port-path" value={port} onInput={(event) => setPort(event.currentTarget.value)} />
        <label for="device-id">Device id (1 to 31 of A-Z a-z 0-9 . _ -)</label>
        <input id="device-id" value={deviceId} onInput={(event) => setDeviceId(event.currentTarget.value)} />
        <label for="interval">Sampling interval in milliseconds (100 to 3,600,000)</label>
        <input
          id="interval"
          type="number"
          min={100}
          max={3_600_000}
          value={intervalMs}
          onInput={(event) => setIntervalMs(event.currentTarget.value)}
        />
        <label for="link">How the device sends its readings</label>
        <select id="link" value={link} onChange={(event) => setLink(event.currentTarget.value as "serial" | "ble")}>
          <option value="serial">Serial cable to the gateway</option>
          <option value="ble">Bluetooth LE to the gateway</option>
        </select>
        <button type="submit" disabled={running}>
          Provision the device
        </button>
      </form>

      <h2>Progress</h2>
      <progress id="provisioning-progress" max={PROVISIONING_STEPS.length} value={doneSteps} aria-label="Provisioning progress">
        {doneSteps} of {PROVISIONING_STEPS.length}
      </progress>
      <ol class="steps" aria-live="polite">
        {PROVISIONING_STEPS.map((step) => (
          <li key={step} class={steps[step]?.state ?? "waiting"}>
            <strong>{STEP_NAMES[step]}</strong>: {steps[step] ? `${steps[step].state} — ${steps[step].detail}` : "waiting"}
          </li>
        ))}
      </ol>
      <ErrorNote error={error} />
      {outcome && (
        <p class="success" role="status">
          {outcome.deviceId} is {outcome.outcome} (firmware {outcome.firmwareVersion}). Move its cable to the gateway: its
          readings appear on the dashboard as soon as they arrive.
        </p>
      )}
    </section>
  );
}

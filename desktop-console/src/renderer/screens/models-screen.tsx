import { request } from "../bridge-client.js";
import { ErrorNote } from "../components/error-note.js";
import { useAction } from "../components/use-action.js";
import { usePolled } from "../components/use-polled.js";

/** The anomaly model the gateway scores with, the versions in its folder, and swapping to another. */
export function ModelsScreen() {
  const inference = usePolled(() => request("inference.get", {}), 0);
  const swapping = useAction<number>();

  const swap = (version: number) =>
    swapping.run(version, async () => {
      const answer = await request("inference.swap", { version });
      inference.reload();
      return `The gateway now scores with version ${answer.version}.`;
    });

  const state = inference.value;
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Anomaly models</h1>
      <ErrorNote error={inference.error ?? swapping.error} />
      {state && !state.enabled && <p>Anomaly scoring is off on this gateway (inference.enabled in the configuration).</p>}
      {state?.model && (
        <p>
          In use: version {state.model.version}, threshold {state.model.threshold} — {state.model.description}
        </p>
      )}
      {state && (
        <ul class="cards">
          {state.versions.map((version) => (
            <li key={version} class="card">
              <strong>Version {version}</strong>
              {String(version) === state.model?.version ? (
                <span>in use</span>
              ) : (
                <button type="button" disabled={swapping.running !== undefined} onClick={() => void swap(version)}>
                  Use version {version}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {swapping.running !== undefined && (
        <p aria-live="polite">
          <progress aria-label="Swapping the model" /> Loading, checking and warming up version {swapping.running}…
        </p>
      )}
      <p role="status" class="success">
        {swapping.outcome}
      </p>
    </section>
  );
}

import { request } from "../bridge-client.js";
import { ErrorNote } from "../components/error-note.js";
import { usePolled } from "../components/use-polled.js";
import { formatTime } from "../format.js";

/** The gateway's audit log, newest first: who changed what. */
export function AuditScreen() {
  const audit = usePolled(() => request("audit.list", { limit: 100 }), 5_000);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <ErrorNote error={audit.error} />
      <table class="audit">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">On</th>
          </tr>
        </thead>
        <tbody>
          {(audit.value ?? []).map((entry) => (
            <tr key={entry.id}>
              <td>{formatTime(entry.atMs)}</td>
              <td>{entry.actor}</td>
              <td>{entry.action}</td>
              <td>{entry.target ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

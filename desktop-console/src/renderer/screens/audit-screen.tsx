import { request } from "../bridge-client.js";
import { DataTable } from "../components/data-table.js";
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
      <DataTable class="audit" columns={["When", "Who", "What", "On"]}>
        {(audit.value ?? []).map((entry) => (
          <tr key={entry.id}>
            <td>{formatTime(entry.atMs)}</td>
            <td>{entry.actor}</td>
            <td>{entry.action}</td>
            <td>{entry.target ?? ""}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

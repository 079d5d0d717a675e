import { useEffect, useRef, useState } from "preact/hooks";
import type { BridgeError, ConfigChange, ConfigDocument, ConfigIssue, ConfigRevisionSummary } from "../../shared/bridge-types.js";
import { failureOf, request } from "../bridge-client.js";
import { DataTable } from "../components/data-table.js";
import { ErrorNote } from "../components/error-note.js";
import { SchemaForm, withValue, type FieldSchema } from "../components/schema-form.js";
import { formatTime } from "../format.js";

const VALIDATE_AFTER_MS = 300;

function shown(value: unknown): string {
  return value === undefined ? "(default)" : JSON.stringify(value);
}

/**
 * The configuration editor: a form generated from the gateway's JSON Schema, checked by the
 * gateway as it is edited, the changes shown before they are applied, and the history with
 * its revisions to go back to.
 */
export function ConfigScreen() {
  const [current, setCurrent] = useState<ConfigDocument | undefined>();
  const [schema, setSchema] = useState<FieldSchema | undefined>();
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [issues, setIssues] = useState<ConfigIssue[]>([]);
  const [changes, setChanges] = useState<ConfigChange[] | undefined>();
  const [comment, setComment] = useState("");
  const [history, setHistory] = useState<ConfigRevisionSummary[]>([]);
  const [message, setMessage] = useState("");
  const [error, setError] = useState<BridgeError | undefined>();
  const validation = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = async () => {
    try {
      const [document, jsonSchema, revisions] = await Promise.all([
        request("config.get", {}),
        request("config.schema", {}),
        request("config.history", {}),
      ]);
      setCurrent(document);
      setSchema(jsonSchema);
      setDraft(document.config);
      setHistory(revisions);
      setIssues([]);
      setChanges(undefined);
    } catch (failure) {
      setError(failureOf(failure));
    }
  };
  useEffect(() => void load(), []);

  const edit = (path: string[], value: unknown) => {
    const next = withValue(draft, path, value);
    setDraft(next);
    setChanges(undefined);
    clearTimeout(validation.current);
    validation.current = setTimeout(() => {
      request("config.validate", { config: next }).then(
        (answer) => setIssues(answer.issues),
        (failure: unknown) => setError(failureOf(failure)),
      );
    }, VALIDATE_AFTER_MS);
  };

  const run = async (work: () => Promise<void>) => {
    setError(undefined);
    setMessage("");
    try {
      await work();
    } catch (failure) {
      setError(failureOf(failure));
    }
  };

  const showChanges = () => run(async () => setChanges((await request("config.diff", { config: draft })).changes));
  const apply = () =>
    run(async () => {
      const outcome = await request("config.apply", { config: draft, ...(comment && { comment }) });
      await load();
      setComment("");
      setMessage(
        `Revision ${outcome.revision} applied (${outcome.mode === "live" ? "at once" : outcome.mode === "restart" ? "the gateway restarted its parts" : "nothing changed"}). The gateway watches itself and puts the previous revision back if it does not stay healthy.`,
      );
    });
  const revert = (revision: number) =>
    run(async () => {
      const outcome = await request("config.revert", { revision });
      await load();
      setMessage(`Revision ${revision} is in force again, as revision ${outcome.revision}.`);
    });

  if (!current || !schema) {
    return (
      <section aria-labelledby="config-title">
        <h1 id="config-title">Configuration</h1>
        <ErrorNote error={error} />
        <p>Loading the configuration…</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="config-title">
      <h1 id="config-title">Configuration</h1>
      <p>
        Revision {current.revision} is in force ({current.status}). Fields marked “applies at once” change without a restart.
      </p>
      <ErrorNote error={error} />
      <p role="status" class="success">
        {message}
      </p>
      <p aria-live="polite" class={issues.length > 0 ? "issue" : ""}>
        {issues.length > 0 ? `${issues.length} field(s) to correct before applying.` : "The gateway accepts this configuration."}
      </p>
      <SchemaForm schema={schema} document={draft} issues={issues} onChange={edit} />
      <div class="actions">
        <button type="button" disabled={issues.length > 0} onClick={() => void showChanges()}>
          Show the changes
        </button>
      </div>
      {changes && (
        <div class="diff">
          <h2>Changes to apply</h2>
          {changes.length === 0 ? (
            <p>No change from the revision in force.</p>
          ) : (
            <DataTable columns={["Field", "Before", "After", "How it applies"]}>
              {changes.map((change) => (
                <tr key={change.path}>
                  <th scope="row">{change.path}</th>
                  <td>{shown(change.before)}</td>
                  <td>{shown(change.after)}</td>
                  <td>{change.apply}</td>
                </tr>
              ))}
            </DataTable>
          )}
          <label for="apply-comment">Why (kept in the history and the audit log)</label>
          <input id="apply-comment" value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
          <button type="button" disabled={changes.length === 0} onClick={() => void apply()}>
            Apply these changes
          </button>
        </div>
      )}
      <h2>History</h2>
      <DataTable class="history" columns={["Revision", "When", "Who", "How", "State", "Comment", "Action"]}>
        {history.map((revision) => (
          <tr key={revision.revision}>
            <th scope="row">{revision.revision}</th>
            <td>{formatTime(revision.atMs)}</td>
            <td>{revision.actor}</td>
            <td>{revision.origin}</td>
            <td>{revision.current ? `${revision.status}, in force` : revision.status}</td>
            <td>{revision.comment ?? ""}</td>
            <td>
              {!revision.current && (
                <button type="button" class="secondary" onClick={() => void revert(revision.revision)}>
                  Revert to revision {revision.revision}
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

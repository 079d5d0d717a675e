import type { BridgeError } from "../../shared/bridge-types.js";

/** A failure as the technician reads it: what went wrong, then what to do next. */
export function ErrorNote({ error }: { error: BridgeError | undefined }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <p>{error.message}</p>
      {error.hint && <p class="hint">What to do: {error.hint}</p>}
      {error.issues && error.issues.length > 0 && (
        <ul>
          {error.issues.map((issue) => (
            <li key={issue.path}>
              <code>{issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

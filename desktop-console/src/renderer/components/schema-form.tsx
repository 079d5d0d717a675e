import type { ConfigIssue } from "../../shared/bridge-types.js";

/** The parts of a JSON Schema (2020-12, as the gateway generates it) the form reads. */
export interface FieldSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, FieldSchema>;
  propertyNames?: { enum?: string[] };
  additionalProperties?: FieldSchema | boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  "x-apply"?: "live" | "restart" | "fixed";
}

type Document = Record<string, unknown>;

export function valueAt(document: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Document)[key] : undefined), document);
}

/** A copy of `document` with the value at `path` set (or removed, for undefined). */
export function withValue(document: Document, path: string[], value: unknown): Document {
  const [key, ...rest] = path;
  if (key === undefined) return document;
  const copy = { ...document };
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  } else {
    const child = copy[key];
    copy[key] = withValue(child && typeof child === "object" ? (child as Document) : {}, rest, value);
  }
  return copy;
}

interface FieldProps {
  name: string;
  path: string[];
  schema: FieldSchema;
  document: Document;
  issues: ConfigIssue[];
  onChange: (path: string[], value: unknown) => void;
}

function ApplyBadge({ schema }: { schema: FieldSchema }) {
  const apply = schema["x-apply"];
  if (!apply) return null;
  const text = { live: "applies at once", restart: "restarts the gateway's parts", fixed: "cannot be changed here" }[apply];
  return <span class={`badge ${apply}`}>{text}</span>;
}

function Field(props: FieldProps) {
  const { name, path, schema, document, issues, onChange } = props;
  const dotted = path.join(".");
  const id = `cfg-${dotted}`;
  const value = valueAt(document, path);
  const fieldIssues = issues.filter((issue) => issue.path === dotted);
  const described = fieldIssues.length > 0 ? `${id}-issues` : undefined;
  const fixed = schema["x-apply"] === "fixed";

  if (schema.type === "object" && schema.properties) {
    return (
      <fieldset>
        <legend>
          {name} <ApplyBadge schema={schema} />
        </legend>
        {Object.entries(schema.properties).map(([key, child]) => (
          <Field key={key} {...props} name={key} path={[...path, key]} schema={child} />
        ))}
      </fieldset>
    );
  }
  const additional = schema.additionalProperties;
  const keys = schema.propertyNames?.enum;
  if (schema.type === "object" && keys && typeof additional === "object" && additional.type === "number") {
    return (
      <fieldset>
        <legend>
          {name} <ApplyBadge schema={schema} />
        </legend>
        {keys.map((key) => (
          <Field
            key={key}
            {...props}
            name={key}
            path={[...path, key]}
            schema={{ ...additional, "x-apply": schema["x-apply"] ?? "restart" }}
          />
        ))}
      </fieldset>
    );
  }

  let input;
  if (schema.type === "boolean") {
    input = (
      <input
        id={id}
        type="checkbox"
        disabled={fixed}
        checked={Boolean(value ?? schema.default)}
        aria-describedby={described}
        onChange={(event) => onChange(path, event.currentTarget.checked)}
      />
    );
  } else if (schema.type === "integer" || schema.type === "number") {
    input = (
      <input
        id={id}
        type="number"
        disabled={fixed}
        step={schema.type === "integer" ? 1 : "any"}
        value={typeof value === "number" ? String(value) : ""}
        placeholder={typeof schema.default === "number" ? `default ${schema.default}` : "not set"}
        aria-invalid={fieldIssues.length > 0}
        aria-describedby={described}
        onInput={(event) => {
          const text = event.currentTarget.value;
          onChange(path, text === "" ? undefined : Number(text));
        }}
      />
    );
  } else if (schema.enum) {
    input = (
      <select
        id={id}
        disabled={fixed}
        value={typeof value === "string" ? value : typeof schema.default === "string" ? schema.default : ""}
        aria-describedby={described}
        onChange={(event) => onChange(path, event.currentTarget.value)}
      >
        {schema.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (schema.type === "string") {
    input = (
      <input
        id={id}
        disabled={fixed}
        value={typeof value === "string" ? value : ""}
        aria-invalid={fieldIssues.length > 0}
        aria-describedby={described}
        onInput={(event) => onChange(path, event.currentTarget.value === "" ? undefined : event.currentTarget.value)}
      />
    );
  } else {
    input = (
      <JsonField id={id} value={value} disabled={fixed} described={described} onChange={(parsed) => onChange(path, parsed)} />
    );
  }
  return (
    <div class={`field ${fieldIssues.length > 0 ? "invalid" : ""}`}>
      <label for={id}>
        {name} <ApplyBadge schema={schema} />
      </label>
      {input}
      {described && (
        <p id={described} class="issue">
          {fieldIssues.map((issue) => issue.message).join("; ")}
        </p>
      )}
    </div>
  );
}

/** Lists and free-form maps, edited as JSON: the text is kept while it does not parse. */
function JsonField(props: {
  id: string;
  value: unknown;
  disabled: boolean;
  described: string | undefined;
  onChange: (value: unknown) => void;
}) {
  return (
    <textarea
      id={props.id}
      rows={3}
      disabled={props.disabled}
      aria-describedby={props.described}
      value={props.value === undefined ? "" : JSON.stringify(props.value)}
      onChange={(event) => {
        const text = event.currentTarget.value.trim();
        try {
          props.onChange(text === "" ? undefined : JSON.parse(text));
          event.currentTarget.setCustomValidity("");
        } catch {
          event.currentTarget.setCustomValidity("not valid JSON");
          event.currentTarget.reportValidity();
        }
      }}
    />
  );
}

/** The configuration as a form generated from its JSON Schema: one section per top-level field. */
export function SchemaForm(props: {
  schema: FieldSchema;
  document: Document;
  issues: ConfigIssue[];
  onChange: (path: string[], value: unknown) => void;
}) {
  return (
    <div class="schema-form">
      {Object.entries(props.schema.properties ?? {}).map(([key, child]) => {
        const sectionIssues = props.issues.filter((issue) => issue.path === key || issue.path.startsWith(`${key}.`));
        return child.type === "object" && child.properties ? (
          <details key={key} open={sectionIssues.length > 0}>
            <summary>
              {key}
              {sectionIssues.length > 0 && ` (${sectionIssues.length} to correct)`}
            </summary>
            {Object.entries(child.properties).map(([name, field]) => (
              <Field
                key={name}
                name={name}
                path={[key, name]}
                schema={field}
                document={props.document}
                issues={props.issues}
                onChange={props.onChange}
              />
            ))}
          </details>
        ) : (
          <Field
            key={key}
            name={key}
            path={[key]}
            schema={child}
            document={props.document}
            issues={props.issues}
            onChange={props.onChange}
          />
        );
      })}
    </div>
  );
}

import { applyRuleOf, type ApplyMode, type LivePart } from "./config-fields.js";

/** One field that differs between two configurations, and how the change takes effect. */
export interface ConfigChange {
  path: string;
  /** Absent when the field is new. */
  before?: unknown;
  /** Absent when the field is removed. */
  after?: unknown;
  apply: ApplyMode;
  part?: LivePart;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every leaf of a JSON document by dotted path; arrays are leaves. */
export function leaves(document: unknown, prefix = ""): Map<string, unknown> {
  const found = new Map<string, unknown>();
  if (!isPlainObject(document)) {
    if (prefix !== "" && document !== undefined) found.set(prefix, document);
    return found;
  }
  for (const [key, value] of Object.entries(document)) {
    for (const [path, leaf] of leaves(value, prefix === "" ? key : `${prefix}.${key}`)) found.set(path, leaf);
  }
  return found;
}

/** The fields that differ, in document order, each with its apply mode. */
export function diffConfigs(before: unknown, after: unknown): ConfigChange[] {
  const was = leaves(before);
  const now = leaves(after);
  const paths = [...new Set([...was.keys(), ...now.keys()])];
  return paths
    .filter((path) => JSON.stringify(was.get(path)) !== JSON.stringify(now.get(path)))
    .map((path) => {
      const rule = applyRuleOf(path);
      return {
        path,
        ...(was.has(path) && { before: was.get(path) }),
        ...(now.has(path) && { after: now.get(path) }),
        apply: rule?.apply ?? "restart",
        ...(rule?.part && { part: rule.part }),
      };
    });
}

/** How a set of changes is put in force: not at all, live, or by restarting the gateway's parts. */
export function applyModeOf(changes: readonly ConfigChange[]): "none" | "live" | "restart" {
  if (changes.length === 0) return "none";
  return changes.every((change) => change.apply === "live") ? "live" : "restart";
}

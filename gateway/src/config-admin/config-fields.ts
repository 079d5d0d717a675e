/**
 * How each part of the configuration takes effect once applied:
 * - `live`: at once, by updating the component or restarting only the part named;
 * - `restart`: by a supervised restart of all the gateway's parts, in the same process;
 * - `fixed`: never through the API (the data directory is where the configuration lives).
 */
export type ApplyMode = "live" | "restart" | "fixed";

/** The parts a live change updates or restarts. */
export type LivePart =
  "admission" | "sealing" | "storage" | "thresholds" | "uplink" | "node-red" | "discovery" | "apply-watch" | "analytics";

export interface ApplyRule {
  /** A dotted path; the rule covers everything below it unless a longer rule says otherwise. */
  path: string;
  apply: ApplyMode;
  part?: LivePart;
}

export const APPLY_RULES: readonly ApplyRule[] = [
  { path: "dataDir", apply: "fixed" },
  { path: "mqtt", apply: "restart" },
  { path: "ingest", apply: "restart" },
  { path: "ingest.admission", apply: "live", part: "admission" },
  { path: "serial", apply: "restart" },
  { path: "ble", apply: "restart" },
  { path: "commands", apply: "restart" },
  { path: "proving", apply: "restart" },
  { path: "batching", apply: "live", part: "sealing" },
  { path: "storage", apply: "restart" },
  { path: "storage.quotaBytes", apply: "live", part: "storage" },
  { path: "storage.minFreeDiskBytes", apply: "live", part: "storage" },
  { path: "storage.policy", apply: "live", part: "storage" },
  { path: "storage.retainAckedDays", apply: "live", part: "storage" },
  { path: "inference", apply: "restart" },
  { path: "inference.thresholds", apply: "live", part: "thresholds" },
  { path: "http", apply: "restart" },
  { path: "http.nodeRed", apply: "live", part: "node-red" },
  { path: "relay", apply: "live", part: "uplink" },
  { path: "chain", apply: "live" },
  { path: "discovery", apply: "live", part: "discovery" },
  { path: "configApply", apply: "live", part: "apply-watch" },
  { path: "analytics", apply: "live", part: "analytics" },
  { path: "supervision", apply: "restart" },
];

/** The rule for a dotted path: the longest rule path it lies under. */
export function applyRuleOf(path: string): ApplyRule | undefined {
  let best: ApplyRule | undefined;
  for (const rule of APPLY_RULES) {
    const covers = path === rule.path || path.startsWith(`${rule.path}.`);
    if (covers && rule.path.length > (best?.path.length ?? -1)) best = rule;
  }
  return best;
}

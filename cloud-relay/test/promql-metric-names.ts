// The metric names a PromQL expression reads, found by tokenizing it: label matchers ({…}),
// ranges and subqueries ([…]), strings, numbers and durations are skipped; an identifier
// followed by "(" is a function or aggregation; the label lists of by, without, on,
// ignoring, group_left and group_right are skipped, as is an aggregation written `sum by (…) (…)`; what remains are metric names.
// Grafana's variables ($__rate_interval, $job) may stand in ranges and matchers.

const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"]);
const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
const LABEL_LIST_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const IDENTIFIER = /[A-Za-z_:][A-Za-z0-9_:]*/y;
const NUMBER_OR_DURATION = /[0-9][0-9A-Za-z_.]*/y;

/** The index just past the bracket that closes the one at `start`, skipping strings inside. */
function skipBracketed(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let index = start; index < expr.length; index++) {
    const char = expr.charAt(index);
    if (char === '"' || char === "'" || char === "`") index = skipString(expr, index) - 1;
    else if (char === open) depth++;
    else if (char === close && --depth === 0) return index + 1;
  }
  throw new Error(`unbalanced ${open} at ${start} in ${expr}`);
}

function skipString(expr: string, start: number): number {
  const quote = expr.charAt(start);
  for (let index = start + 1; index < expr.length; index++) {
    if (expr.charAt(index) === "\\" && quote !== "`") index++;
    else if (expr.charAt(index) === quote) return index + 1;
  }
  throw new Error(`unterminated string at ${start} in ${expr}`);
}

function nextNonSpace(expr: string, index: number): string {
  return expr.slice(index).trimStart().charAt(0);
}

/** The metric names `expr` reads, each once. Throws on brackets that do not balance. */
export function promqlMetricNames(expr: string): string[] {
  const names = new Set<string>();
  let parens = 0;
  let index = 0;
  while (index < expr.length) {
    const char = expr.charAt(index);
    if (/\s/.test(char)) index++;
    else if (char === "{") index = skipBracketed(expr, index, "{", "}");
    else if (char === "[") index = skipBracketed(expr, index, "[", "]");
    else if (char === '"' || char === "'" || char === "`") index = skipString(expr, index);
    else if (char === "$") {
      IDENTIFIER.lastIndex = index + 1;
      IDENTIFIER.exec(expr);
      index = IDENTIFIER.lastIndex;
    } else if (/[0-9.]/.test(char)) {
      NUMBER_OR_DURATION.lastIndex = index;
      NUMBER_OR_DURATION.exec(expr);
      index = Math.max(index + 1, NUMBER_OR_DURATION.lastIndex);
    } else if (/[A-Za-z_:]/.test(char)) {
      IDENTIFIER.lastIndex = index;
      const identifier = (IDENTIFIER.exec(expr) as RegExpExecArray)[0];
      index = IDENTIFIER.lastIndex;
      const lower = identifier.toLowerCase();
      const following = nextNonSpace(expr, index);
      // `sum by (job) (…)`: an aggregation with its grouping before its argument.
      const grouped = AGGREGATIONS.has(lower) && /^\s*(by|without)\s*\(/i.test(expr.slice(index));
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (following === "(") index = skipBracketed(expr, expr.indexOf("(", index), "(", ")");
      } else if (!KEYWORDS.has(lower) && !grouped && following !== "(") names.add(identifier);
    } else {
      if (char === "(") parens++;
      if (char === ")" && --parens < 0) throw new Error(`unbalanced ) at ${index} in ${expr}`);
      index++;
    }
  }
  if (parens !== 0) throw new Error(`unbalanced ( in ${expr}`);
  return [...names];
}

/**
 * Whether `name` is exported in `exposition` (Prometheus text format): a metric with a TYPE
 * line, or a histogram's _bucket, _sum or _count series, or a summary's _sum or _count.
 */
export function exposes(exposition: string, name: string): boolean {
  const types = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1] as string, match[2] as string);
  if (types.has(name)) return true;
  const suffix = /_(bucket|sum|count)$/.exec(name);
  if (!suffix) return false;
  const base = types.get(name.slice(0, -suffix[0].length));
  return base === "histogram" || (base === "summary" && suffix[1] !== "bucket");
}

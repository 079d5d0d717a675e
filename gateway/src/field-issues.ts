import type { z } from "zod";

/** One thing wrong with an input, at a dotted path such as `body.role` or `relay.address`. */
export interface FieldIssue {
  path: string;
  message: string;
}

function join(prefix: string, key: PropertyKey): string {
  return prefix === "" ? String(key) : `${prefix}.${String(key)}`;
}

/**
 * What zod found wrong, one issue per field, each naming its field by path; an unknown
 * field is named itself (`body.extra: unknown field`) rather than by its parent.
 */
export function fieldIssues(error: z.ZodError, prefix = ""): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.reduce<string>(join, prefix);
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ path: join(path, key), message: "unknown field" }));
    return [{ path: path === "" ? "(document)" : path, message: issue.message }];
  });
}

/** The issues as one line a person can act on. */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
}

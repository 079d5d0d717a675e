import { writeFileSync } from "node:fs";
import { format, resolveConfig } from "prettier";

/** `value` as JSON, formatted as the repository's prettier check wants it for `file`, so a rerun gives the same bytes. */
export async function jsonText(file: string, value: unknown): Promise<string> {
  return format(JSON.stringify(value), { ...(await resolveConfig(file)), filepath: file });
}

export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  writeFileSync(file, await jsonText(file, value));
}

import { chmodSync, writeFileSync } from "node:fs";

/**
 * Writes a file only its owner may read or write. The mode is set again after writing, since
 * writeFile applies it only when it creates the file.
 */
export function writeSecretFile(path: string, contents: string): void {
  writeFileSync(path, contents, { mode: 0o600 });
  chmodSync(path, 0o600);
}

// Read from the documentation, not from the project's code: clients written from the docs alone
// take their EIP-712 types from here, so what they sign and check is what the docs say.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const WIRE_FORMATS = join(import.meta.dirname, "../../docs/wire-formats.md");

export type TypedDataFields = Record<string, { name: string; type: string }[]>;

/**
 * The EIP-712 type `primaryType` and every struct type it refers to, as docs/wire-formats.md
 * writes them at the start of a line (`Batch(address gateway, uint64 sequence, …)`), in the
 * form ethers' typed-data functions take.
 */
export function documentedTypedData(primaryType: string): TypedDataFields {
  const document = readFileSync(WIRE_FORMATS, "utf8");
  const types: TypedDataFields = {};
  const pending = [primaryType];
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (types[name]) continue;
    const declaration = new RegExp(`^\\s*${name}\\(([^)]*)\\)`, "m").exec(document);
    if (!declaration?.[1]) throw new Error(`docs/wire-formats.md does not declare the EIP-712 type ${name}`);
    types[name] = declaration[1].split(",").map((field) => {
      const [type = "", fieldName = ""] = field.trim().split(/\s+/);
      const struct = /^[A-Z]\w*/.exec(type)?.[0];
      if (struct) pending.push(struct);
      return { name: fieldName, type };
    });
  }
  return types;
}

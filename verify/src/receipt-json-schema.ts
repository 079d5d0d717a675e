import { join } from "node:path";
import { z } from "zod";
import { receiptSchema } from "./receipt-format.js";

/** Where the receipt's published JSON Schema lives. */
export const RECEIPT_JSON_SCHEMA_FILE = join(import.meta.dirname, "../../docs/receipt.schema.json");

/** The JSON Schema of a receipt as it travels (what a verifier reads), formatted as committed. */
export function receiptJsonSchema(): string {
  const schema = z.toJSONSchema(receiptSchema, { io: "input", target: "draft-2020-12" });
  const described = {
    $id: "https://intelledger.dev/schemas/receipt-v1.json",
    title: "IntelLedger Edge reading receipt, version 1",
    description:
      "A reading and the evidence that leads from it to a root anchored on an EVM chain; docs/wire-formats.md says how each field is checked.",
    ...schema,
  };
  return `${JSON.stringify(described, null, 2)}\n`;
}

// Writes the receipt's JSON Schema (docs/receipt.schema.json) from the schema the relay and the
// `verify` command parse receipts with, so the published format cannot drift from the code.
//   npm run generate -w verify
import { writeFileSync } from "node:fs";
import { receiptJsonSchema, RECEIPT_JSON_SCHEMA_FILE } from "../src/receipt-json-schema.js";

writeFileSync(RECEIPT_JSON_SCHEMA_FILE, receiptJsonSchema());
process.stdout.write(`wrote ${RECEIPT_JSON_SCHEMA_FILE}\n`);

import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { RECEIPT_JSON_SCHEMA_FILE, receiptJsonSchema } from "./receipt-json-schema.js";

describe("the receipt's published JSON Schema", () => {
  it("is what the receipt schema generates", () => {
    expect(readFileSync(RECEIPT_JSON_SCHEMA_FILE, "utf8"), "stale: run npm run generate -w verify").toBe(receiptJsonSchema());
  });

  it("is a valid JSON Schema that refuses a receipt missing a field or with a malformed one", () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(RECEIPT_JSON_SCHEMA_FILE, "utf8")));
    expect(validate({ version: 1 })).toBe(false);
    expect(validate.errors?.[0]?.message).toMatch(/must have required property 'reading'/);
  });
});

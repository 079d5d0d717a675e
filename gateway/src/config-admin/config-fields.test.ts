import { describe, expect, it } from "vitest";
import { configJsonSchema } from "./config-schema.js";
import { APPLY_RULES, applyRuleOf } from "./config-fields.js";

type Schema = { properties?: Record<string, Schema>; [key: string]: unknown };

function fieldPaths(schema: Schema, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    return [path, ...fieldPaths(property, path)];
  });
}

describe("how configuration fields apply", () => {
  const schema = configJsonSchema();
  const paths = fieldPaths(schema);

  it("has a rule for every field of the schema, and no rule for a field that does not exist", () => {
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((path) => applyRuleOf(path) === undefined)).toEqual([]);
    expect(APPLY_RULES.map((rule) => rule.path).filter((path) => !paths.includes(path))).toEqual([]);
  });

  it("marks each field in the JSON Schema", () => {
    const properties = schema.properties ?? {};
    expect(properties.dataDir?.["x-apply"]).toBe("fixed");
    expect(properties.mqtt?.properties?.port?.["x-apply"]).toBe("restart");
    expect(properties.batching?.properties?.maxAgeMs?.["x-apply"]).toBe("live");
    expect(properties.relay?.properties?.address?.["x-live-part"]).toBe("uplink");
    expect(properties.storage?.properties?.policy?.["x-apply"]).toBe("live");
    expect(properties.storage?.properties?.dataClasses?.["x-apply"]).toBe("restart");
  });
});

import { z } from "zod";
import { gatewayConfigSchema } from "../config.js";
import { applyRuleOf } from "./config-fields.js";

type JsonSchema = { properties?: Record<string, JsonSchema>; [key: string]: unknown };

function annotate(schema: JsonSchema, prefix: string): void {
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const rule = applyRuleOf(path);
    property["x-apply"] = rule?.apply ?? "restart";
    if (rule?.part) property["x-live-part"] = rule.part;
    annotate(property, path);
  }
}

/**
 * The configuration's JSON Schema (2020-12), generated from the zod schema the gateway
 * parses it with. Every property says how a change to it takes effect: `x-apply` is
 * `live` (at once, `x-live-part` names what is updated), `restart` (the gateway restarts
 * its parts) or `fixed` (not through the API).
 */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(gatewayConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  annotate(schema, "");
  return { ...schema, title: "IntelLedger Edge gateway configuration" };
}

import { z } from "zod";
import type { ApiOperation } from "./api-routes.js";
import { SESSION_COOKIE } from "./request-auth.js";

type JsonSchema = Record<string, unknown>;

/**
 * The route's schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema`
 * line. Both requests and responses are described as the schemas' input: what a client
 * sends, and what a handler gives (responses may hold more fields than described).
 */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const described = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  delete described.$schema;
  return described;
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query"): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: property,
  }));
}

const ERROR_RESPONSE = { $ref: "#/components/responses/Error" };

function operationObject(operation: ApiOperation): JsonSchema {
  const content = (schema: JsonSchema) => ({ [operation.contentType]: { schema } });
  const success =
    operation.status === 204
      ? { description: "done" }
      : {
          description: operation.summary,
          content: content(operation.response ? jsonSchema(operation.response) : {}),
        };
  const errors: Record<string, unknown> = { "400": ERROR_RESPONSE };
  if (operation.access !== "public") Object.assign(errors, { "401": ERROR_RESPONSE, "403": ERROR_RESPONSE });
  return {
    summary: operation.summary,
    ...(operation.description && { description: operation.description }),
    operationId: `${operation.method}${operation.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_match, next: string | undefined) => (next ?? "").toUpperCase())}`,
    tags: [operation.path.split("/").filter((part) => part !== "" && part !== "api")[0] ?? "gateway"],
    "x-role": operation.access,
    security: operation.access === "public" ? [] : [{ bearerToken: [] }, { sessionCookie: [] }],
    parameters: [...parameters(operation.params, "path"), ...parameters(operation.query, "query")],
    ...(operation.body && {
      requestBody: { required: true, content: { "application/json": { schema: jsonSchema(operation.body) } } },
    }),
    responses: { [String(operation.status)]: success, ...errors },
  };
}

/**
 * The OpenAPI 3.1 description of the gateway's HTTP API, made from the routes' schemas:
 * what a client written from it alone needs (paths, parameters, bodies, responses, who
 * may call what).
 */
export function openApiDocument(operations: readonly ApiOperation[], info: { version: string; gatewayId: string }) {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operations) {
    const path = operation.path.replace(/:(\w+)/g, "{$1}");
    (paths[path] ??= {})[operation.method] = operationObject(operation);
  }
  return {
    openapi: "3.1.0" as const,
    info: {
      title: "IntelLedger Edge gateway API",
      version: info.version,
      description:
        `Gateway ${info.gatewayId}. Log in with a session cookie (POST /api/auth/login) or send an API token as ` +
        "`Authorization: Bearer ilt_…`. `x-role` names the least role a route needs (technician > integrator > viewer). " +
        "Errors answer `{error, issues?}`; each issue names its field by path.",
    },
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: "An API token (ilt_…) from POST /api/auth/tokens" },
        sessionCookie: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
      },
      responses: {
        Error: {
          description: "refused: the message says why; `issues` name each field that was wrong",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["error"],
                properties: {
                  error: { type: "string" },
                  issues: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["path", "message"],
                      properties: { path: { type: "string" }, message: { type: "string" } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

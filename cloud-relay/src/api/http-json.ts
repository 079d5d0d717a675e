import type { IncomingMessage, ServerResponse } from "node:http";
import { RelayError } from "../errors.js";

/** Request bodies the API reads at most. */
export const MAX_BODY_BYTES = 64 * 1024;

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
}

const STATUS_OF_KIND: Partial<Record<RelayError["kind"], number>> = {
  not_found: 404,
  failed_precondition: 409,
  invalid_argument: 400,
  unavailable: 503,
};

/** A RelayError's message with the status of its kind; any other error as 500 with `otherwise` (its text may hold internals). */
export function jsonError(response: ServerResponse, error: unknown, otherwise: string): void {
  if (error instanceof RelayError) json(response, STATUS_OF_KIND[error.kind] ?? 500, { error: error.message });
  else json(response, 500, { error: otherwise });
}

/** The request's body as text, or undefined when it is longer than MAX_BODY_BYTES. */
export async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The request's JSON body (an empty body reads as `{}`), or undefined once it answered 413
 * or 400 saying what is wrong with it.
 */
export async function readJsonBody(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
  const text = await readBody(request);
  if (text === undefined) {
    json(response, 413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
    return undefined;
  }
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    json(response, 400, { error: "the body is not JSON" });
    return undefined;
  }
}

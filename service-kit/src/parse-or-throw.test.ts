import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EdgeError } from "./edge-error.js";
import { parseOrThrow } from "./parse-or-throw.js";

const schema = z.object({ port: z.number().int().max(65_535), host: z.string().default("0.0.0.0") });
const invalid = (problems: string): EdgeError => new EdgeError(`invalid settings:\n${problems}`);

describe("parseOrThrow", () => {
  it("returns the parsed value with its defaults", () => {
    expect(parseOrThrow(schema, { port: 8080 }, invalid)).toEqual({ port: 8080, host: "0.0.0.0" });
  });

  it("throws the caller's error naming every wrong field", () => {
    let thrown: unknown;
    try {
      parseOrThrow(schema, { port: 70_000, host: 7 }, invalid);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EdgeError);
    expect((thrown as Error).message).toMatch(/^invalid settings:\n/);
    expect((thrown as Error).message).toMatch(/→ at port/);
    expect((thrown as Error).message).toMatch(/→ at host/);
  });
});

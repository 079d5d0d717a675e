import { z } from "zod";

/**
 * Parses `input` with `schema`. Input that does not fit throws the error `invalid` makes of a list
 * of every wrong field with its path, so that one attempt shows all there is to fix.
 */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  invalid: (problems: string) => Error,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalid(z.prettifyError(result.error));
  return result.data;
}

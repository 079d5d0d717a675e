/**
 * Base of every error the project raises on purpose: a short message a person can act on,
 * details to log (ids, sizes, limits; never secrets) and the cause. Each package derives its
 * own base from it, so callers can tell whose error it is without string matching.
 */
export class EdgeError extends Error {
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Base of every error this package raises on purpose: a short message, details to log, and the cause. */
export class CircuitsError extends Error {
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

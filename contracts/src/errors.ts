/** Base class of every error this package throws: a short message, optional details and cause. */
export class ContractsError extends Error {
  override readonly name: string = "ContractsError";
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.details = details;
  }
}

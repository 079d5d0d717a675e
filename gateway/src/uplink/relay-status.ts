import type { ServiceError } from "@grpc/grpc-js";

/** Whether `error` is how grpc-js reports a call that ended with a status (its code, message and trailing metadata). */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === "number" && "metadata" in error;
}

/** The first value of trailing metadata `key` of a call that ended with a status, as text. */
export function trailer(error: unknown, key: string): string | undefined {
  if (!isServiceError(error)) return undefined;
  const [value] = error.metadata.get(key);
  return value?.toString();
}

/** A trailing metadata value that is a count of milliseconds, if it is one. */
export function trailerMs(error: unknown, key: string): number | undefined {
  const text = trailer(error, key);
  const ms = Number(text);
  return text !== undefined && text.trim() !== "" && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

import { RelayError } from "../errors.js";

/** A value a statement binds: the ledgers store numbers, text and bytes only. */
export type SqlValue = number | string | Uint8Array | null;

/**
 * What the ledgers run their SQL through. Statements use `?` placeholders and SQL both
 * backends understand the same way; where a schema differs (types, keys), the backend's
 * migrations hide it. Integers come back as numbers and bytes as Buffers on both.
 */
export interface SqlExecutor {
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Runs a write; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly backend: "sqlite" | "postgres";
  /** Runs `work` in one transaction: all of it is stored, or none. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A row whose key another writer took first (a unique or primary key violation). */
export class StorageConflict extends RelayError {
  constructor(message: string, options?: ErrorOptions) {
    super("aborted", message, {}, options);
  }
}

/** Bytes bind as Buffers (a view on the same memory, not a copy): the drivers take Buffer, not every Uint8Array. */
export function bindable(params: readonly SqlValue[]): (number | string | Buffer | null)[] {
  return params.map((value): number | string | Buffer | null =>
    value instanceof Uint8Array && !Buffer.isBuffer(value)
      ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      : value,
  );
}

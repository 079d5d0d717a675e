import pg from "pg";
import { pendingMigrations } from "@intelledger/service-kit";
import { POSTGRES_RELAY_MIGRATIONS } from "./postgres-migrations.js";
import { bindable, StorageConflict, type SqlDatabase, type SqlExecutor, type SqlValue } from "./sql-database.js";

const INT8_OID = 20;
const NUMERIC_OID = 1700;
/** Key of the advisory lock that serialises replicas migrating the schema at start. */
const MIGRATION_LOCK_KEY = 0x72656c61; // "rela"
const UNIQUE_VIOLATION = "23505";

/**
 * Integers the ledgers read (timestamps, sequences, sums) come back as numbers, as they do
 * from SQLite; BIGINT and NUMERIC would otherwise arrive as strings.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary"): unknown =>
    oid === INT8_OID || oid === NUMERIC_OID
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(oid, format ?? "text") as unknown)) as pg.CustomTypesConfig["getTypeParser"],
};

/** `?` placeholders become PostgreSQL's `$1, $2, …` (the ledgers' SQL holds no literal question marks). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

function mapped(error: unknown): unknown {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === UNIQUE_VIOLATION ? new StorageConflict("a row with this key is stored already", { cause: error }) : error;
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  const query = async (sql: string, params: readonly SqlValue[] = []) => {
    try {
      return await client.query(numbered(sql), bindable(params));
    } catch (error) {
      throw mapped(error);
    }
  };
  return {
    all: async <Row>(sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rows as Row[],
    get: async <Row>(sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rows[0] as Row | undefined,
    run: async (sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rowCount ?? 0,
  };
}

export interface PostgresOptions {
  /** postgres://user@host:port/database; a password may come from `password` or PGPASSWORD instead. */
  url: string;
  password?: string;
  /** Connections this replica opens at most. */
  poolSize: number;
}

/** The backend for several replicas: node-postgres with a pool of connections. */
export class PostgresSqlDatabase implements SqlDatabase {
  readonly backend = "postgres";
  readonly pool: pg.Pool;
  private readonly pooled: SqlExecutor;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
    this.pooled = executor(pool);
  }

  /** Connects and brings the schema up to date. */
  static async open(options: PostgresOptions): Promise<PostgresSqlDatabase> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      types,
      ...(options.password !== undefined && { password: options.password }),
    });
    // An idle connection the server dropped must not bring the process down; the next query reconnects.
    pool.on("error", () => undefined);
    const database = new PostgresSqlDatabase(pool);
    try {
      await database.migrate();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return database;
  }

  /** The connection options, for a part that needs a connection of its own (the anchoring leadership). */
  static clientConfig(options: PostgresOptions): pg.ClientConfig {
    return { connectionString: options.url, types, ...(options.password !== undefined && { password: options.password }) };
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.pooled.all<Row>(sql, params);
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.pooled.get<Row>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.pooled.run(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query("BEGIN");
      const result = await work(executor(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => (broken = rollbackError));
      throw mapped(error);
    } finally {
      // A connection that could not roll back is not given to the next transaction.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.run("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK_KEY]);
      await tx.run("CREATE TABLE IF NOT EXISTS relay_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
      await tx.run("INSERT INTO relay_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
      const { version } = (await tx.get<{ version: number }>("SELECT version FROM relay_schema WHERE id = 1")) ?? { version: 0 };
      for (const pending of pendingMigrations(version, { migrations: POSTGRES_RELAY_MIGRATIONS, owner: "relay" })) {
        for (const statement of pending.sql.split(/;\s*$/m).filter((part) => part.trim() !== "")) await tx.run(statement);
        await tx.run("UPDATE relay_schema SET version = ? WHERE id = 1", [pending.version]);
      }
    });
  }
}

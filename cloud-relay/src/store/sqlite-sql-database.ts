import { openSqliteDatabase, type SqliteDatabase } from "@intelledger/service-kit";
import type { Statement } from "better-sqlite3";
import { SQLITE_RELAY_MIGRATIONS } from "./sqlite-migrations.js";
import { bindable, StorageConflict, type SqlDatabase, type SqlExecutor, type SqlValue } from "./sql-database.js";

function isKeyConflict(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

function mapped(error: unknown): Error {
  if (isKeyConflict(error)) return new StorageConflict("a row with this key is stored already", { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The embedded backend: better-sqlite3, whose calls are synchronous, behind the async
 * interface. One connection serves everything, so while a transaction is open (its work may
 * await between statements) other statements wait for it instead of landing inside it.
 */
export class SqliteSqlDatabase implements SqlDatabase {
  readonly backend = "sqlite";
  private readonly db: SqliteDatabase;
  private readonly statements = new Map<string, Statement>();
  private readonly direct: SqlExecutor;
  private inTransaction = false;
  private waiting: (() => void)[] = [];

  constructor(path: string) {
    this.db = openSqliteDatabase(path, { migrations: SQLITE_RELAY_MIGRATIONS, owner: "relay" });
    const run = <T>(work: () => T): Promise<T> => {
      try {
        return Promise.resolve(work());
      } catch (error) {
        return Promise.reject(mapped(error));
      }
    };
    this.direct = {
      all: <Row>(sql: string, params: readonly SqlValue[] = []) =>
        run(() => this.statement(sql).all(...bindable(params)) as Row[]),
      get: <Row>(sql: string, params: readonly SqlValue[] = []) =>
        run(() => this.statement(sql).get(...bindable(params)) as Row | undefined),
      run: (sql: string, params: readonly SqlValue[] = []) => run(() => this.statement(sql).run(...bindable(params)).changes),
    };
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.outside(() => this.direct.all<Row>(sql, params));
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.outside(() => this.direct.get<Row>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.outside(() => this.direct.run(sql, params));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    while (this.inTransaction) await this.turn();
    this.inTransaction = true;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(this.direct);
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw mapped(error);
      }
    } finally {
      this.inTransaction = false;
      const woken = this.waiting;
      this.waiting = [];
      for (const wake of woken) wake();
    }
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  /** Runs a statement now unless a transaction is open; the check and the statement run in one synchronous step. */
  private outside<T>(statement: () => Promise<T>): Promise<T> {
    return this.inTransaction ? this.turn().then(() => this.outside(statement)) : statement();
  }

  private turn(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

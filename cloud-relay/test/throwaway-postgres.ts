// A PostgreSQL database of its own for one test file: created on the machine's server
// (EDGE_POSTGRES_URL, by default postgres://postgres@127.0.0.1:5432/postgres) and dropped after.
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface ThrowawayDatabase {
  /** postgres://… of the new database. */
  url: string;
  drop(): Promise<void>;
}

const ADMIN_URL = process.env.EDGE_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client(ADMIN_URL);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const name = `relay_test_${randomBytes(6).toString("hex")}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

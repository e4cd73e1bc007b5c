/**
 * PostgreSQL helpers for tests: one connection pool per test file, a throwaway schema per test, PostGIS.
 *
 * ```ts ignore
 * import { catalogQuery, connect, ensurePostgis, testSchema } from "./helpers/pg.ts";
 * const sql = connect();
 * await ensurePostgis(sql);
 * const schema = await testSchema(sql, "mytest"); // e.g. mytest_k3x9q2, dropped with schema.drop()
 * await sql.begin(async (tx) => {
 *   await tx.unsafe(schema.searchPath); // SET LOCAL search_path TO mytest_k3x9q2, public
 *   await tx.unsafe("CREATE TABLE t (id int)");
 * });
 * await schema.drop();
 * await sql.end();
 * ```
 *
 * @module
 */

import postgres from "postgres";
import type { CatalogQuery } from "../../src/postgres/introspect.ts";

/** The test database: `DATABASE_URL`, or the local trust-auth one. */
export const DATABASE_URL: string = Deno.env.get("DATABASE_URL") ??
  "postgres://postgres@127.0.0.1:5432/test";

/** A postgres.js pool on {@link DATABASE_URL}, quiet about NOTICEs. End it with `await sql.end()`. */
export function connect(options: postgres.Options<Record<string, never>> = {}): postgres.Sql {
  return postgres(DATABASE_URL, { max: 4, onnotice: () => {}, ...options });
}

/** A {@link CatalogQuery} over a postgres.js pool or transaction, for `introspectTable`. */
export function catalogQuery(sql: postgres.Sql | postgres.TransactionSql): CatalogQuery {
  return (text, params) => sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
}

/**
 * Creates the PostGIS extension if missing. Parallel test files may race to create it; the loser's
 * duplicate error is harmless, so it is checked against the catalog rather than thrown.
 */
export async function ensurePostgis(sql: postgres.Sql): Promise<void> {
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS postgis`;
  } catch (error) {
    const [{ present }] =
      await sql`SELECT count(*) > 0 AS present FROM pg_extension WHERE extname = 'postgis'`;
    if (!present) throw error;
  }
}

/** A schema that exists for one test. */
export interface TestSchema {
  /** The schema's name: the prefix and a random suffix. */
  name: string;
  /** `SET LOCAL search_path TO <name>, <postgis schema>` — run it first in a transaction. */
  searchPath: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named schema, so parallel test files never collide. */
export async function testSchema(sql: postgres.Sql, prefix: string): Promise<TestSchema> {
  const name = `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
  await sql`CREATE SCHEMA ${sql(name)}`;
  const rows = await sql`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                          WHERE e.extname = 'postgis'`;
  const extensionSchema = rows.length ? rows[0].nspname as string : "public";
  return {
    name,
    searchPath: `SET LOCAL search_path TO "${name}", "${extensionSchema}"`,
    drop: async () => {
      await sql`DROP SCHEMA IF EXISTS ${sql(name)} CASCADE`;
    },
  };
}

/**
 * The README's `readings` rows (Node.js example and Worker), as DuckDB reads them from a Parquet file and
 * as PostgreSQL has them: the same 1000 rows made by PostgreSQL, typed `integer`, `text` and
 * `timestamptz`, so a file is compared value by value and type by type with what PostgreSQL would hold.
 *
 * @module
 */

import { duckdbRows, sqlString } from "./duckdb.ts";
import { connect } from "./pg.ts";

/** DuckDB's name for what each PostgreSQL type becomes in Parquet. */
const DUCKDB_TYPE: Record<string, string> = {
  integer: "INTEGER",
  text: "VARCHAR",
  "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
};

/** Rows and column types, in a form both databases print alike. */
export interface Readings {
  types: Record<string, string>;
  rows: { id: string; label: string; taken_at_us: string }[];
}

/** Ids 1..1000 labelled `r-<id>`, taken at 2026-01-01T00:00:00Z plus `id + shift` seconds. */
export async function readingsAsPostgres(shift: number): Promise<Readings> {
  const sql = connect({ max: 1 });
  try {
    const query = `SELECT i AS id, 'r-' || i AS label,
        timestamptz '2026-01-01 00:00:00+00' + (i + ${shift}) * interval '1 second' AS taken_at
      FROM generate_series(1, 1000) AS i`;
    const columns = await sql.unsafe(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 ORDER BY a.attnum`,
      [await temporaryTable(sql, query)],
    );
    const rows = await sql.unsafe(
      `SELECT id::text, label, (extract(epoch FROM taken_at) * 1000000)::bigint::text AS taken_at_us
       FROM (${query}) AS r ORDER BY r.id`,
    );
    return {
      types: Object.fromEntries(columns.map((c) => [c.name, DUCKDB_TYPE[c.type] ?? c.type])),
      rows: rows.map((r) => ({ id: r.id, label: r.label, taken_at_us: r.taken_at_us })),
    };
  } finally {
    await sql.end();
  }
}

/** A temporary table holding `query`'s result, so PostgreSQL names the types it gives the columns. */
async function temporaryTable(sql: ReturnType<typeof connect>, query: string): Promise<string> {
  await sql.unsafe(`CREATE TEMPORARY TABLE readings AS ${query}`);
  return "pg_temp.readings";
}

/** The file's rows and column types as DuckDB reads them. */
export async function readingsAsDuckdb(file: string): Promise<Readings> {
  const source = `read_parquet(${sqlString(file)})`;
  const columns = await duckdbRows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${source})`);
  const rows = await duckdbRows(
    `SELECT id::text AS id, label, epoch_us(taken_at)::text AS taken_at_us FROM ${source} AS r ORDER BY r.id`,
  );
  return {
    types: Object.fromEntries(columns.map((c) => [c.column_name, c.column_type])),
    rows: rows as Readings["rows"],
  };
}

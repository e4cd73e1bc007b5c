/**
 * A query as a source: its result columns described by PostgreSQL (without running it) and mapped to a
 * table definition as a table's are, then read through the same paths as a table (binary COPY of the
 * query as a subquery, or a cursor), in the export's snapshot.
 *
 * @module
 */

import type postgres from "postgres";
import { SourceError } from "../errors.ts";
import { definitionOf, liveColumns } from "./introspect.ts";
import type { TableDefinition } from "../schema/table.ts";
import { copyBinaryFrom } from "./copy_binary.ts";
import { type IdleGuard, withIdleTimeout } from "./idle_timeout.ts";

/** A query to export, under a name of its own (its folder, file names and manifest entry). */
export interface QuerySource {
  /** The output's name, as a table's. */
  name: string;
  /** One SELECT (or any statement returning rows that a read-only transaction allows). */
  sql: string;
}

// The result columns (name, type, and the table column they come straight from, if any) in the shape
// of introspect.ts's catalog rows: a column taken straight from a table keeps its declared type modifier
// (numeric(8,2), varchar(20)); a computed one has none. Every column is nullable: an outer join can make
// NULLs of a NOT NULL column.
const QUERY_COLUMNS_SQL = `
SELECT q.name,
       false AS not_null,
       format_type(q.type, coalesce(a.atttypmod, -1)) AS declared_type,
       format_type(t.oid, b.typmod) AS type_text,
       t.typname AS type_name, tn.nspname AS type_schema, t.typtype AS type_kind,
       coalesce(a.attndims, 0) AS dimensions,
       format_type(e.oid, CASE WHEN e0.typtype = 'd' THEN e0.typtypmod ELSE b.typmod END) AS element_text,
       CASE WHEN e0.typtype = 'd' THEN format_type(e.oid, e0.typtypmod) || '[]'
            ELSE format_type(t.oid, b.typmod) END AS base_type,
       e.typname AS element_name, en.nspname AS element_schema, e.typtype AS element_kind,
       (SELECT json_agg(l.enumlabel ORDER BY l.enumsortorder)::text
          FROM pg_enum l WHERE l.enumtypid = coalesce(e.oid, t.oid)) AS enum_values,
       NULL::int AS pk_position
  FROM json_to_recordset($1::text::json) AS q(ord int, name text, type oid, rel oid, num int2)
  LEFT JOIN pg_attribute a ON q.rel <> 0 AND a.attrelid = q.rel AND a.attnum = q.num AND a.atttypid = q.type
  LEFT JOIN pg_type d ON d.oid = q.type AND d.typtype = 'd'
  CROSS JOIN LATERAL (SELECT coalesce(d.typbasetype, q.type) AS oid,
                             CASE WHEN d.oid IS NULL THEN coalesce(a.atttypmod, -1) ELSE d.typtypmod END AS typmod) b
  JOIN pg_type t ON t.oid = b.oid
  JOIN pg_namespace tn ON tn.oid = t.typnamespace
  LEFT JOIN pg_type e0 ON e0.oid = t.typelem AND t.typcategory = 'A'
  LEFT JOIN pg_type e ON e.oid = CASE WHEN e0.typtype = 'd' THEN e0.typbasetype ELSE e0.oid END
  LEFT JOIN pg_namespace en ON en.oid = e.typnamespace
 ORDER BY q.ord`;

/** The query without the semicolons and blanks that may end it (it is read as a subquery). */
function bare(sql: string): string {
  return sql.trim().replace(/[;\s]+$/, "");
}

/**
 * Describes `source`'s result columns in `tx` (PostgreSQL parses and plans the query, and runs
 * nothing) and maps them to a table definition named `source.name`.
 *
 * @throws {SourceError} naming the query (as the table): bad SQL, no columns, two columns of one name.
 * @throws {SchemaError} for a column type with no mapping (unless `unmappedAsText`).
 * @example
 * ```ts ignore
 * const table = await describeQuery(tx, { name: "deep", sql: "SELECT id, depth_m FROM borehole WHERE depth_m > 30" });
 * ```
 */
export async function describeQuery(
  tx: postgres.TransactionSql | postgres.Sql,
  source: QuerySource,
  options: IdleGuard & { unmappedAsText?: boolean } = {},
): Promise<TableDefinition> {
  const { name } = source;
  const fail = (why: string, cause?: unknown) =>
    new SourceError(`Cannot export query ${name}: ${why}`, { table: name, cause });
  const describe = async (text: string, hint: string) => {
    try {
      return await withIdleTimeout(tx.unsafe(text).describe(), options, "describing the query", name);
    } catch (cause) {
      if (cause instanceof SourceError) throw cause;
      const why = (cause as Error).message;
      throw fail((cause as { code?: string }).code === "42601" ? `${why}${hint}` : why, cause);
    }
  };
  // As written first, so that an error points into the user's text; then as the subquery it is read as,
  // so that what cannot be read that way (an INSERT … RETURNING) fails here, before anything is written.
  await describe(bare(source.sql), "");
  const described = await describe(
    `SELECT * FROM (${bare(source.sql)}) AS source`,
    " (a query is read as a subquery: one SELECT, VALUES or TABLE statement)",
  );
  const columns = described.columns ?? [];
  if (!columns.length) throw fail("it returns no columns (a query to export must return rows)");
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) {
      throw fail(`two result columns are named ${column.name}: give each its own name (AS …)`);
    }
    seen.add(column.name);
  }
  const json = JSON.stringify(
    columns.map((c, ord) => ({ ord, name: c.name, type: c.type, rel: c.table, num: c.number })),
  );
  const rows = await withIdleTimeout(
    tx.unsafe(QUERY_COLUMNS_SQL, [json]),
    options,
    "describing the query",
    name,
  );
  return definitionOf(name, liveColumns(rows), { unmappedAsText: options.unmappedAsText });
}

/**
 * The binary COPY statement of a described query: the query as a subquery, each column cast as a
 * table's are.
 *
 * @example
 * ```ts
 * import { defineTable, int } from "@parquet-storage/engine";
 * import { copyQueryStatement } from "./query_source.ts";
 * const sql = copyQueryStatement(defineTable("q", { n: int() }), "SELECT 1 AS n;");
 * console.assert(sql === `COPY (SELECT "n"::integer FROM (SELECT 1 AS n) AS source) TO STDOUT (FORMAT binary)`);
 * ```
 */
export function copyQueryStatement(table: TableDefinition, sql: string): string {
  return copyBinaryFrom(table, `(${bare(sql)}) AS source`);
}

/** The query text as a subquery takes it. */
export function querySql(source: QuerySource): string {
  return bare(source.sql);
}

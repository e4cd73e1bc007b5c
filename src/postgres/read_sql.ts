// This module is browser compatible.

/**
 * The SQL that makes PostgreSQL return each column's values in the canonical row form the validator
 * expects, whatever the driver's own type parsing: one expression per column, and the SELECT list of a
 * table.
 *
 * @module
 */

import type { ColumnSpec } from "../schema/kinds/kind.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import type { TableDefinition } from "../schema/table.ts";

/**
 * Quotes a PostgreSQL identifier (`"name"`, inner quotes doubled).
 *
 * @example
 * ```ts
 * import { quoteIdent } from "@parquet-storage/engine/postgres";
 * console.assert(quoteIdent('odd"name') === '"odd""name"');
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A schema-qualified table name, both parts quoted: `"schema"."table"`. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * The SQL expression that makes PostgreSQL return one column's values in the canonical row form the
 * validator expects, whatever the driver's own type parsing (postgres.js turns timestamps into
 * millisecond `Date`s, for instance). `column` is the bare column name; it is quoted here.
 *
 * - timestamp, timestamptz, date → ISO-8601 text via `to_jsonb(col) #>> '{}'` (microseconds kept, no
 *   DateStyle dependence; `infinity` stays a string the validator refuses loudly).
 * - numeric → `col::text` (exact digits, `scale` fraction digits).
 * - point → a json object `{ "latitude": ST_Y, "longitude": ST_X }` of the point in SRID 4326
 *   (`ST_Transform(col::geometry, 4326)`, a no-op for geography), NULL for NULL; for PostgreSQL's native
 *   `point` type (`pgType` "point", x = longitude, y = latitude) the same object from its coordinates.
 * - arrays → `to_jsonb(col)` (a json array), through `::text[]` first for bigint and numeric elements so
 *   that no digit is lost to a JSON number.
 * - text → `col::text`, so a type mapped with `unmappedAsText` (interval, bytea, …) arrives as its text.
 * - everything else (uuid, integers, floats, boolean, json, enums) → the column itself.
 *
 * Point expressions call PostGIS (`ST_Transform`, `ST_X`, `ST_Y`) unqualified: run the query with the
 * PostGIS schema on the search path (it is, by default, in `public`).
 *
 * @example
 * ```ts
 * import { timestamptz } from "@parquet-storage/engine";
 * import { readExpression } from "./read_sql.ts";
 * console.assert(readExpression("logged_at", timestamptz().spec) === `(to_jsonb("logged_at") #>> '{}')`);
 * ```
 */
export function readExpression(
  column: string,
  spec: ColumnSpec,
  pgType?: string,
  readFrom?: string,
): string {
  const col = readFrom ?? quoteIdent(column);
  return kindOf(spec).readExpression?.(col, spec, pgType) ?? col;
}

/**
 * The `SELECT` list that reads a whole table in canonical form: `<readExpression> AS "col", …` in
 * definition order. Use it as `SELECT ${selectList(table)} FROM "schema"."table"`.
 *
 * @example
 * ```ts
 * import { defineTable, int, numeric } from "@parquet-storage/engine";
 * import { selectList } from "./read_sql.ts";
 * const list = selectList(defineTable("t", { id: int(), depth: numeric(6, 2) }));
 * console.assert(list === `"id" AS "id", "depth"::text AS "depth"`);
 * ```
 */
export function selectList(table: TableDefinition): string {
  return Object.entries(table.columns)
    .map(([name, column]) =>
      `${readExpression(name, column.spec, column.pgType, column.readFrom)} AS ${quoteIdent(name)}`
    )
    .join(", ");
}

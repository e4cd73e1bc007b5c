// This module is browser compatible.

/**
 * The SQL text of an incremental read for a statement that takes no parameters (binary COPY): the
 * condition "after the watermark" (a later watermark, or the same one with a larger key) and the order,
 * with the watermark's values as quoted literals, and the query of the last row it reads (whose values are
 * the next watermark). The row path builds the same condition with postgres.js's parameters
 * (`table_source.ts`).
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import { qualifiedName, quoteIdent, selectList } from "./read_sql.ts";
import type { TableDefinition } from "../schema/table.ts";
import type { Since } from "./table_source.ts";

/**
 * Quotes a text value as a PostgreSQL string literal whatever `standard_conforming_strings` says: an
 * escape string (`E'…'`) with quotes and backslashes doubled.
 *
 * @example
 * ```ts
 * import { quoteLiteral } from "./since_sql.ts";
 * console.assert(quoteLiteral("it's \\ here") === "E'it''s \\\\ here'");
 * ```
 */
export function quoteLiteral(value: string): string {
  return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** The WHERE (empty for a first run) and ORDER BY of rows after `since`, columns qualified by `from`. */
export function sinceClauses(
  table: TableDefinition,
  from: string,
  since: Since,
  direction: "ASC" | "DESC" = "ASC",
): { where: string; order: string } {
  const keys = [since.column, ...table.primaryKey.filter((k) => k !== since.column)];
  for (const key of keys) {
    if (!(key in table.columns)) {
      throw new SourceError(`Incremental column is not in the table`, { table: table.name, column: key });
    }
  }
  const column = (name: string) => `${from}.${quoteIdent(name)}`;
  // NULL watermarks first (last when descending), so the last row read holds the largest watermark.
  const nulls = direction === "ASC" ? "NULLS FIRST" : "NULLS LAST";
  const order = `ORDER BY ${
    keys.map((k, i) => `${column(k)} ${direction}${i === 0 ? ` ${nulls}` : ""}`).join(", ")
  }`;
  if (since.value === null) return { where: "", order };
  // Through text, as the row path's parameters are.
  const cast = (name: string, value: string) => `${quoteLiteral(value)}::text::${table.columns[name].pgType}`;
  if (!since.key || keys.length === 1) {
    return { where: `WHERE ${column(since.column)} > ${cast(since.column, since.value)}`, order };
  }
  const values = keys.map((key, i) => cast(key, i === 0 ? since.value! : since.key![key]));
  return { where: `WHERE (${keys.map(column).join(", ")}) > (${values.join(", ")})`, order };
}

/**
 * The query of the last row an incremental read of `since` returns, in canonical row form (read it with
 * `canonicalRow`): its watermark and key are where the next run starts.
 *
 * @example
 * ```ts
 * import { defineTable, int, timestamptz } from "@parquet-storage/engine";
 * import { lastRowQuery } from "./since_sql.ts";
 * const table = defineTable("t", { id: int(), updated_at: timestamptz() }, { primaryKey: ["id"] });
 * const sql = lastRowQuery(table, "public", { column: "updated_at", value: null, key: null });
 * console.assert(sql.endsWith(`ORDER BY "public"."t"."updated_at" DESC NULLS LAST, "public"."t"."id" DESC LIMIT 1`));
 * ```
 */
export function lastRowQuery(table: TableDefinition, pgSchema: string, since: Since): string {
  const from = qualifiedName(pgSchema, table.name);
  const { where, order } = sinceClauses(table, from, since, "DESC");
  return `SELECT ${selectList(table)} FROM ${from} ${where} ${order} LIMIT 1`.replace("  ", " ");
}

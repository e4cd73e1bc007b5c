// This module is browser compatible.

/**
 * The values PostgreSQL has and Parquet's types do not: a numeric `NaN` (or ±`Infinity`), and a date or
 * timestamp `infinity`/`-infinity`. What a run does with them is its `specialValues` choice:
 *
 * - `error` (the default): the export fails at the first one, naming table, row and column;
 * - `null`: they are exported as NULL (their columns become nullable), in SQL, on both doors;
 * - `text`: a column holding one (found by one scan of the table, in the run's snapshot) is exported as
 *   text instead: ISO-8601 for dates and timestamps, PostgreSQL's digits for numerics, and `infinity`,
 *   `-infinity`, `NaN` as such. Columns without one keep their type.
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import type { CatalogQuery } from "./introspect.ts";
import type { Column } from "../schema/kinds/kind.ts";
import { text } from "../schema/kinds/text.ts";
import { qualifiedName, quoteIdent } from "./read_sql.ts";
import { type Columns, defineTable, type TableDefinition } from "../schema/table.ts";

/** What an export does with NaN numerics and infinite dates and timestamps. */
export type SpecialValues = "error" | "null" | "text";

/** The choices of `specialValues`, as `--special-values` takes them. */
export const SPECIAL_VALUES: readonly SpecialValues[] = ["error", "null", "text"];

export { SPECIAL_VALUES_HINT } from "../schema/kinds/kind.ts";

/** The SQL test of a column's special values, or undefined for a column that cannot hold one. */
function specialTest(column: Column, col: string): string | undefined {
  const { kind } = column.spec;
  if (kind === "numeric" && column.pgType !== "money") return `${col} IN ('NaN', 'Infinity', '-Infinity')`;
  if (kind === "date" || kind === "timestamp" || kind === "timestamptz") return `NOT isfinite(${col})`;
  return undefined;
}

/**
 * The table definition an export reads under `mode`: unchanged for `error`; for `null`, every column
 * that can hold a special value read as NULL in its place; for `text`, the columns that hold one read
 * as text (one scan of the table through `query`).
 *
 * @example
 * ```ts
 * import { date, defineTable, int } from "@parquet-storage/engine";
 * import { withSpecialValues } from "./special_values.ts";
 * const table = await withSpecialValues(() => Promise.resolve([]), defineTable("t", { id: int(), d: date() }), "null");
 * console.assert(table.columns.d.spec.nullable && table.columns.d.readFrom?.includes("isfinite"));
 * ```
 */
export async function withSpecialValues(
  query: CatalogQuery,
  table: TableDefinition,
  mode: SpecialValues = "error",
): Promise<TableDefinition> {
  if (!SPECIAL_VALUES.includes(mode)) {
    throw new ParquetStorageError(
      `specialValues must be one of ${SPECIAL_VALUES.join(", ")}: current value is ${JSON.stringify(mode)}`,
      { table: table.name },
    );
  }
  const tests = Object.entries(table.columns)
    .map(([name, column]) => [name, specialTest(column, quoteIdent(name))] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  if (mode === "error" || !tests.length) return table;
  let holding = new Set(tests.map(([name]) => name));
  if (mode === "text") {
    const flags = tests.map(([, test], i) => `coalesce(bool_or(${test}), false) AS c${i}`);
    const [row] = await query(
      `SELECT ${flags.join(", ")} FROM ${qualifiedName(table.pgSchema, table.name)}`,
      [],
    );
    holding = new Set(tests.filter((_, i) => row[`c${i}`] === true || row[`c${i}`] === "t").map(([n]) => n));
    if (!holding.size) return table;
  }
  const columns: Columns = {};
  for (const [name, column] of Object.entries(table.columns)) {
    const test = holding.has(name) ? specialTest(column, quoteIdent(name)) : undefined;
    if (!test) columns[name] = column;
    else if (mode === "null") {
      columns[name] = {
        ...column.nullable(),
        readFrom: `(CASE WHEN ${test} THEN NULL ELSE ${quoteIdent(name)} END)`,
      };
    } else {
      const base = column.spec.nullable ? text().nullable() : text();
      const readFrom = column.spec.kind === "numeric"
        ? `(${quoteIdent(name)}::text)`
        : `(to_jsonb(${quoteIdent(name)}) #>> '{}')`;
      columns[name] = { ...base, readFrom };
    }
  }
  return defineTable(table.name, columns, {
    primaryKey: [...table.primaryKey],
    pgSchema: table.pgSchema,
    watermark: table.watermark,
  });
}

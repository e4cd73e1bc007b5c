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
 * In an array, each element is such a value: `null` makes the element NULL, `text` makes the array one
 * of text.
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import type { CatalogQuery } from "./introspect.ts";
import type { Column } from "../schema/kinds/kind.ts";
import { text } from "../schema/kinds/text.ts";
import { array } from "../schema/kinds/array.ts";
import { columnFromSpec } from "../schema/kinds/registry.ts";
import { qualifiedName, quoteIdent } from "./read_sql.ts";
import { type Columns, defineTable, type TableDefinition } from "../schema/table.ts";

/** What an export does with NaN numerics and infinite dates and timestamps. */
export type SpecialValues = "error" | "null" | "text";

/** The choices of `specialValues`, as `--special-values` takes them. */
export const SPECIAL_VALUES: readonly SpecialValues[] = ["error", "null", "text"];

export { SPECIAL_VALUES_HINT } from "../schema/kinds/kind.ts";

/** The SQL test of a value's special values, or undefined for a kind that cannot hold one. */
function valueTest(kind: string, money: boolean, value: string): string | undefined {
  if (kind === "numeric" && !money) return `${value} IN ('NaN', 'Infinity', '-Infinity')`;
  if (kind === "date" || kind === "timestamp" || kind === "timestamptz") return `NOT isfinite(${value})`;
  return undefined;
}

/** The test of a column (of an array: any of its elements), or undefined for one that cannot hold one. */
function specialTest(column: Column, col: string): string | undefined {
  const { kind, element } = column.spec;
  if (kind !== "array" || !element) return valueTest(kind, column.pgType === "money", col);
  const test = valueTest(element.kind, column.pgType === "money[]", "u.e");
  return test && `EXISTS (SELECT 1 FROM unnest(${col}) AS u(e) WHERE ${test})`;
}

/** An array's elements through `each` (of `u.e`), in order; NULL for a NULL array. */
function eachElement(col: string, each: string): string {
  return `(CASE WHEN ${col} IS NULL THEN NULL ELSE ARRAY(SELECT ${each} FROM unnest(${col}) ` +
    `WITH ORDINALITY AS u(e, o) ORDER BY u.o) END)`;
}

/** `column` read under `mode` where it holds special values (`test` finds them). */
function readSpecial(column: Column, name: string, test: string, mode: "null" | "text"): Column {
  const col = quoteIdent(name);
  const element = column.spec.element;
  if (column.spec.kind === "array" && element) {
    const elementTest = valueTest(element.kind, column.pgType === "money[]", "u.e")!;
    if (mode === "null") {
      // Elements become NULL in their place: the elements, and the column, nullable.
      const spec = { ...column.spec, nullable: true, element: { ...element, nullable: true } };
      const readFrom = eachElement(col, `CASE WHEN ${elementTest} THEN NULL ELSE u.e END`);
      return { ...columnFromSpec(spec), pgType: column.pgType, readFrom };
    }
    const base = array(text().nullable());
    const readFrom = element.kind === "numeric"
      ? `(${col}::text[])`
      : eachElement(col, `to_jsonb(u.e) #>> '{}'`);
    return { ...(column.spec.nullable ? base.nullable() : base), readFrom };
  }
  if (mode === "null") {
    return { ...column.nullable(), readFrom: `(CASE WHEN ${test} THEN NULL ELSE ${col} END)` };
  }
  const base = column.spec.nullable ? text().nullable() : text();
  const readFrom = column.spec.kind === "numeric" ? `(${col}::text)` : `(to_jsonb(${col}) #>> '{}')`;
  return { ...base, readFrom };
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
    columns[name] = test ? readSpecial(column, name, test, mode) : column;
  }
  return defineTable(table.name, columns, {
    primaryKey: [...table.primaryKey],
    pgSchema: table.pgSchema,
    watermark: table.watermark,
  });
}

// This module is browser compatible.

/**
 * The last step of reading from PostgreSQL: the few values that `selectList` cannot make canonical in SQL
 * (timestamps and dates come as `to_jsonb` text, `+00:00` instead of `Z` and trailing fraction zeros
 * dropped; an unconstrained numeric keeps PostgreSQL's display scale; bigint and numeric array elements
 * come as text) are put in the canonical row form here, by each column's kind, so rows leave the source ready to encode, and
 * validating them again is optional.
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import { SPECIAL_VALUES_HINT } from "../schema/kinds/kind.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import type { Row, TableDefinition } from "../schema/table.ts";

type Convert = (value: unknown) => unknown;

// PostgreSQL's values that Parquet's types do not have (see `specialValues`).
const SPECIAL = /^(?:NaN|-?Infinity|-?infinity)$/;

/**
 * Builds the function that makes a row read with `selectList(table)` canonical, in place. Columns whose
 * values already arrive canonical (integers, floats, text, uuid, enums, json, points, `numeric(p,s)`) are
 * left alone, so a table without temporal or exact-array columns costs nothing.
 *
 * @throws {SourceError} (from the returned function) naming table, row and column, for a value with no
 * canonical form (a timestamp `infinity` or before year 1, a numeric `NaN`).
 * @example
 * ```ts
 * import { defineTable, int, timestamptz } from "@parquet-storage/engine";
 * import { canonicalRow } from "./canonical_row.ts";
 * const canonical = canonicalRow(defineTable("t", { id: int(), at: timestamptz() }));
 * const row = canonical({ id: 1, at: "2026-11-25T04:05:06.5+00:00" }, 1);
 * console.assert(row.at === "2026-11-25T04:05:06.500000Z");
 * ```
 */
export function canonicalRow(table: TableDefinition): (row: Row, rowNumber: number) => Row {
  const converters = Object.entries(table.columns)
    .map(([name, column]) => [name, kindOf(column.spec).fromPostgres?.(column.spec)] as const)
    .filter((entry): entry is readonly [string, Convert] => entry[1] !== undefined);
  if (!converters.length) return (row) => row;
  return (row, rowNumber) => {
    for (const [name, convert] of converters) {
      const value = row[name];
      if (value === null || value === undefined) continue;
      try {
        row[name] = convert(value);
      } catch (cause) {
        const isSpecial = (v: unknown) => typeof v === "string" && SPECIAL.test(v);
        const special = isSpecial(value) || (Array.isArray(value) && value.some(isSpecial))
          ? `; ${SPECIAL_VALUES_HINT}`
          : "";
        throw new SourceError(
          `Cannot read a value from PostgreSQL in canonical form: ${(cause as Error).message}${special}`,
          { table: table.name, row: rowNumber, column: name, cause },
        );
      }
    }
    return row;
  };
}

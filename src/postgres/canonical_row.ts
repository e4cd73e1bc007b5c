// This module is browser compatible.

/**
 * The last step of reading from PostgreSQL: the few values that `selectList` cannot make canonical in SQL
 * (timestamps and dates come as `to_jsonb` text, `+00:00` instead of `Z` and trailing fraction zeros
 * dropped; an unconstrained numeric keeps PostgreSQL's display scale; bigint and numeric array elements
 * come as text) are put in the canonical row form here, so rows leave the source ready to encode, and
 * validating them again is optional.
 *
 * @module
 */

import * as v from "valibot";
import { SourceError } from "../errors.ts";
import { columnFromSpec, type ColumnSpec } from "../schema/columns.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import { normalizeDecimalText } from "../schema/values.ts";

type Convert = (value: unknown) => unknown;

// to_jsonb's ISO form in a UTC session: the common case, made canonical with string operations only.
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/;
const TIMESTAMPTZ = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00:00$/;
const DATE = /^\d{4}-\d\d-\d\d$/;

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
    .map(([name, column]) => [name, converter(column.spec)] as const)
    .filter((entry): entry is readonly [string, Convert] => entry[1] !== undefined);
  if (!converters.length) return (row) => row;
  return (row, rowNumber) => {
    for (const [name, convert] of converters) {
      const value = row[name];
      if (value === null || value === undefined) continue;
      try {
        row[name] = convert(value);
      } catch (cause) {
        throw new SourceError(
          `Cannot read a value from PostgreSQL in canonical form: ${(cause as Error).message}`,
          { table: table.name, row: rowNumber, column: name, cause },
        );
      }
    }
    return row;
  };
}

/** The conversion a column's values need, or `undefined` when they arrive canonical. */
function converter(spec: ColumnSpec): Convert | undefined {
  switch (spec.kind) {
    case "timestamp":
    case "timestamptz": {
      const pattern = spec.kind === "timestamptz" ? TIMESTAMPTZ : TIMESTAMP;
      const digits = spec.unit === "millis" ? 3 : 6;
      const zone = spec.kind === "timestamptz" ? "Z" : "";
      const exact = exactConversion(spec);
      return (value) => {
        const match = typeof value === "string" ? pattern.exec(value) : null;
        return match
          ? `${match[1]}.${(match[2] ?? "").padEnd(6, "0").slice(0, digits)}${zone}`
          : exact(value);
      };
    }
    case "date": {
      const exact = exactConversion(spec);
      return (value) => typeof value === "string" && DATE.test(value) ? value : exact(value);
    }
    case "numeric":
      if (spec.precision !== undefined) return undefined;
      return (value) => {
        const text = normalizeDecimalText(value as string);
        if (text === undefined) throw new Error(`${JSON.stringify(value)} is not a finite decimal`);
        return text;
      };
    case "bigint":
      // Only reached for array elements: the connection already parses a scalar int8 to bigint.
      return (value) => BigInt(value as string);
    case "array": {
      const element = spec.element && converter(spec.element);
      if (!element) return undefined;
      return (value) => (value as unknown[]).map((item) => item === null ? null : element(item));
    }
    default:
      return undefined;
  }
}

/** The column's own exact conversion, for what the fast path does not recognise (offsets, years > 9999). */
function exactConversion(spec: ColumnSpec): Convert {
  const schema = columnFromSpec({ ...spec, nullable: false }).schema;
  return (value) => {
    const result = v.safeParse(schema, value);
    if (!result.success) throw new Error(result.issues[0].message);
    return result.output;
  };
}

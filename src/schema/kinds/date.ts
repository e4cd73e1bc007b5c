// This module is browser compatible.

/**
 * The `date` kind: Parquet DATE (days since 1970 as INT32); rows carry `YYYY-MM-DD` text.
 *
 * @module
 */

import {
  canonical,
  type Canonicalise,
  type Column,
  column,
  type ScalarKind,
  scalarKind,
  textSize,
} from "./kind.ts";
import { int32, int32BE } from "./plain_bytes.ts";
import { formatDate, parseDate } from "../values.ts";

const PG_EPOCH_DAYS = 10_957; // 2000-01-01 − 1970-01-01
const DATE = /^\d{4}-\d\d-\d\d$/;

const canonicalDate: Canonicalise<string> = (value) => {
  const days = parseDate(value);
  return typeof days === "string" ? { reason: days } : formatDate(days);
};

/**
 * A `date` column: stored as Parquet DATE; rows carry `YYYY-MM-DD` text (a `Date` is taken at its UTC day).
 *
 * @example
 * ```ts
 * import { date } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(date().schema, new Date("2026-11-25T10:00:00Z")) === "2026-11-25");
 * ```
 */
export function date(): Column<string> {
  return column({ kind: "date", nullable: false }, "date", canonical("date", canonicalDate));
}

/** Turns a canonicalising function's refusal into an exception (for values read from PostgreSQL). */
export function orThrow<T>(convert: Canonicalise<T>): (value: unknown) => T {
  return (value) => {
    const result = convert(value);
    if (typeof result === "object" && result !== null && "reason" in result) throw new Error(result.reason);
    return result as T;
  };
}

/** The `date` kind. */
export const dateKind: ScalarKind = scalarKind({
  fromSpec: date,
  physical: () => ({ type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } }),
  toParquet: () => (value) => parseDate(value),
  // ISO text, whatever the DateStyle; `infinity` stays a string the validator refuses loudly.
  readExpression: (col) => `(to_jsonb(${col}) #>> '{}')`,
  fromPostgres: () => {
    const exact = orThrow(canonicalDate);
    return (value) => typeof value === "string" && DATE.test(value) ? value : exact(value);
  },
  copy: {
    field: (_spec, _element, sink, refuse) => (b, at) => {
      const days = int32BE(b, at);
      if (days === 0x7fffffff || days === -0x80000000) refuse("infinite dates have no Parquet value");
      int32(sink, days + PG_EPOCH_DAYS);
    },
  },
  size: () => textSize,
});

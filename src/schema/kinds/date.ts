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
  orThrow,
  type ScalarKind,
  scalarKind,
  SPECIAL_VALUES_HINT,
  textSize,
} from "./kind.ts";
import { int32, int32BE } from "./plain_bytes.ts";
import { canonicalDays, formatDate, parseDate } from "../values.ts";

const PG_EPOCH_DAYS = 10_957; // 2000-01-01 − 1970-01-01
const DATE = /^\d{4}-\d\d-\d\d$/;

const canonicalDate: Canonicalise<string> = (value) => {
  if (typeof value === "string" && value.length === 10 && canonicalDays(value) !== undefined) return value;
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

/** The `date` kind. */
export const dateKind: ScalarKind = scalarKind({
  fromSpec: date,
  physical: () => ({ type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } }),
  toParquet: () => (value) => parseDate(value),
  row: (_spec, _element, sink) => (value) => {
    let days = typeof value === "string" && value.length === 10 ? canonicalDays(value) : undefined;
    if (days === undefined) {
      const exact = parseDate(value);
      if (typeof exact === "string") throw new Error(exact);
      days = exact;
    }
    int32(sink, days);
  },
  // ISO text, whatever the DateStyle; `infinity` stays a string the validator refuses loudly.
  readExpression: (col) => `(to_jsonb(${col}) #>> '{}')`,
  fromPostgres: () => {
    const exact = orThrow(canonicalDate);
    return (value) => typeof value === "string" && DATE.test(value) ? value : exact(value);
  },
  copy: {
    field: (_spec, _element, sink, refuse) => (b, at) => {
      const days = int32BE(b, at);
      if (days === 0x7fffffff || days === -0x80000000) {
        refuse(`infinite dates have no Parquet value; ${SPECIAL_VALUES_HINT}`);
      }
      int32(sink, days + PG_EPOCH_DAYS);
    },
  },
  size: () => textSize,
});

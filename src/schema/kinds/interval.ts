// This module is browser compatible.

/**
 * The `interval` kind: ISO-8601 duration text (Parquet STRING), exact to the microsecond, in
 * PostgreSQL's own `iso_8601` interval style (`P1Y2M3DT4H5M6.5S`, `P-1M2DT-3H`, `PT0S`). Its three
 * fields (months, days, microseconds) are kept apart, as PostgreSQL keeps them: a month is not 30 days.
 *
 * Not Parquet's INTERVAL (months, days, milliseconds in 12 bytes): it drops microseconds, cannot hold a
 * negative field, and most readers (hyparquet, arrow-rs, polars) refuse it. Not a struct of three
 * numbers either: text is what every reader shows and PostgreSQL, DuckDB and Python parse back.
 *
 * @module
 */

import {
  canonical,
  type Canonicalise,
  type Column,
  column,
  orThrow,
  same,
  type ScalarKind,
  scalarKind,
  textSize,
} from "./kind.ts";
import { int32BE, utf8 } from "./plain_bytes.ts";
import { describe } from "../values.ts";

const ISO =
  /^P(?!$)(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?(?:T(?!$)(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?)(\d+)(?:\.(\d{1,6}))?S)?)?$/;
// What readExpression gives: months, days and microseconds, space-separated.
const FIELDS = /^(-?\d+) (-?\d+) (-?\d+)$/;
const INT32 = 2 ** 31;
const HOUR = 3_600_000_000n, MINUTE = 60_000_000n, SECOND = 1_000_000n;

/** PostgreSQL's three interval fields. */
export interface IntervalFields {
  /** Months (years are 12). */
  months: number;
  /** Days. */
  days: number;
  /** Microseconds (hours, minutes, seconds). */
  micros: bigint;
}

/** The canonical ISO-8601 text of an interval's fields, as PostgreSQL's `iso_8601` style prints it. */
export function formatInterval({ months, days, micros }: IntervalFields): string {
  if (!months && !days && !micros) return "PT0S";
  let text = "P";
  const years = Math.trunc(months / 12), rest = months % 12;
  if (years) text += `${years}Y`;
  if (rest) text += `${rest}M`;
  if (days) text += `${days}D`;
  if (micros) {
    text += "T";
    const hours = micros / HOUR, minutes = micros % HOUR / MINUTE, seconds = micros % MINUTE;
    if (hours) text += `${hours}H`;
    if (minutes) text += `${minutes}M`;
    if (seconds) {
      const abs = seconds < 0n ? -seconds : seconds;
      const fraction = String(abs % SECOND).padStart(6, "0").replace(/0+$/, "");
      text += `${seconds < 0n ? "-" : ""}${abs / SECOND}${fraction ? "." + fraction : ""}S`;
    }
  }
  return text;
}

/** An interval's fields from ISO-8601 text (weeks are 7 days), or the reason it is not one. */
export function parseInterval(value: unknown): IntervalFields | string {
  const match = typeof value === "string" ? ISO.exec(value) : null;
  if (!match) return `expected an ISO-8601 duration (P1Y2M3DT4H5M6.5S), received ${describe(value)}`;
  const [, y, mo, w, d, h, mi, sign, s, fraction = ""] = match;
  const months = Number(y ?? 0) * 12 + Number(mo ?? 0);
  const days = Number(w ?? 0) * 7 + Number(d ?? 0);
  const secondMicros = BigInt(s ?? 0) * SECOND + BigInt(fraction.padEnd(6, "0"));
  const micros = BigInt(h ?? 0) * HOUR + BigInt(mi ?? 0) * MINUTE + (sign ? -secondMicros : secondMicros);
  if (Math.abs(months) >= INT32 || Math.abs(days) >= INT32 || micros >= 2n ** 63n || micros < -(2n ** 63n)) {
    return `${describe(value)} is beyond PostgreSQL's interval range`;
  }
  return { months, days, micros };
}

const canonicalInterval: Canonicalise<string> = (value) => {
  const fields = parseInterval(value);
  return typeof fields === "string" ? { reason: fields } : formatInterval(fields);
};

/**
 * An `interval` column: stored as ISO-8601 duration text (Parquet STRING), exact to the microsecond,
 * months, days and time kept apart as PostgreSQL keeps them. Rows carry the canonical text.
 *
 * @example
 * ```ts
 * import { interval } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(interval().schema, "P14M1DT0.000001S") === "P1Y2M1DT0.000001S");
 * ```
 */
export function interval(): Column<string> {
  return column({ kind: "interval", nullable: false }, "interval", canonical("interval", canonicalInterval));
}

/** The `interval` kind. */
export const intervalKind: ScalarKind = scalarKind({
  fromSpec: interval,
  physical: () => ({ type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }),
  toParquet: () => same,
  row: (_spec, _element, sink) => {
    const exact = orThrow(canonicalInterval);
    return (value) => utf8(sink, exact(value));
  },
  // The three fields, exactly, whatever the IntervalStyle: made canonical here.
  readExpression: (col) =>
    `CASE WHEN ${col} IS NULL THEN NULL ELSE concat_ws(' ', ` +
    `(extract(year FROM ${col}) * 12 + extract(month FROM ${col}))::text, extract(day FROM ${col})::text, ` +
    `(extract(hour FROM ${col}) * 3600000000 + extract(minute FROM ${col}) * 60000000 + ` +
    `extract(microsecond FROM ${col}))::bigint::text) END`,
  readArrayElements: true,
  fromPostgres: () => {
    const exact = orThrow(canonicalInterval);
    return (value) => {
      const match = typeof value === "string" ? FIELDS.exec(value) : null;
      return match
        ? formatInterval({ months: Number(match[1]), days: Number(match[2]), micros: BigInt(match[3]) })
        : exact(value);
    };
  },
  copy: {
    // int64 microseconds, int32 days, int32 months.
    field: (_spec, _element, sink) => (b, at) => {
      const micros = BigInt(int32BE(b, at)) << 32n | BigInt(int32BE(b, at + 4) >>> 0);
      utf8(sink, formatInterval({ months: int32BE(b, at + 12), days: int32BE(b, at + 8), micros }));
    },
  },
  size: () => textSize,
});

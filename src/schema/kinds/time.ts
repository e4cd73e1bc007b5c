// This module is browser compatible.

/**
 * The `time` kind (without time zone): Parquet TIME(MICROS, isAdjustedToUTC=false) as INT64; rows carry
 * `HH:MM:SS.ffffff` text. `timeKindOf` also makes `timetz`, stored adjusted to UTC (its offset applied).
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
  textSize,
} from "./kind.ts";
import { int32BE, safeInt64 } from "./plain_bytes.ts";
import { describe } from "../values.ts";

const DAY = 86_400_000_000;
const TIME = /^(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?(?:(Z)|([+-])(\d\d)(?::?(\d\d)(?::?(\d\d))?)?)?$/;

/**
 * Microseconds since midnight of a time text (`HH:MM[:SS[.ffffff]]`, with an offset when `withZone`,
 * which is then applied: the result is UTC, within one day), or the reason it is not one.
 */
export function parseTime(value: unknown, withZone: boolean): number | string {
  const match = typeof value === "string" ? TIME.exec(value) : null;
  if (!match) {
    return `expected a time ${withZone ? "with an offset " : ""}(HH:MM:SS.ffffff${
      withZone ? "+HH:MM" : ""
    }), received ${describe(value)}`;
  }
  const [, h, m, s = "0", fraction = "", z, sign, oh, om = "0", os = "0"] = match;
  const hasZone = z !== undefined || sign !== undefined;
  if (hasZone !== withZone) {
    return withZone
      ? `a time with time zone needs an offset (Z or ±HH:MM), received ${describe(value)}`
      : `a time without time zone has no offset, received ${describe(value)}`;
  }
  const micros = ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1_000_000 +
    Number(fraction.padEnd(6, "0"));
  if (Number(m) > 59 || Number(s) > 59 || micros > DAY) return `${describe(value)} is not a time of day`;
  if (!withZone || z !== undefined) return withZone ? micros % DAY : micros;
  const offset = ((Number(oh) * 60 + Number(om)) * 60 + Number(os)) * 1_000_000 * (sign === "-" ? -1 : 1);
  return ((micros - offset) % DAY + DAY) % DAY;
}

/** The canonical text of microseconds since midnight: `HH:MM:SS.ffffff` (and `Z` when UTC). */
export function formatTime(micros: number, withZone: boolean): string {
  const seconds = Math.floor(micros / 1_000_000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.` +
    `${String(micros % 1_000_000).padStart(6, "0")}${withZone ? "Z" : ""}`;
}

function canonicalTime(withZone: boolean): Canonicalise<string> {
  return (value) => {
    const micros = parseTime(value, withZone);
    return typeof micros === "string" ? { reason: micros } : formatTime(micros, withZone);
  };
}

/** A time column, with or without time zone. */
export function timeColumn(withZone: boolean): Column<string> {
  return column(
    { kind: withZone ? "timetz" : "time", nullable: false },
    withZone ? "time with time zone" : "time without time zone",
    canonical(withZone ? "timetz" : "time", canonicalTime(withZone)),
  );
}

/**
 * A `time` column (without time zone): stored as Parquet TIME(MICROS, isAdjustedToUTC=false); rows
 * carry `HH:MM:SS.ffffff` text. PostgreSQL's `24:00:00` is kept (86,400,000,000 µs).
 *
 * @example
 * ```ts
 * import { time } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(time().schema, "04:05:06.5") === "04:05:06.500000");
 * ```
 */
export function time(): Column<string> {
  return timeColumn(false);
}

/** The time kind, with or without zone. */
export function timeKindOf(withZone: boolean): ScalarKind {
  const exact = orThrow(canonicalTime(withZone));
  const micros = (value: unknown) => {
    const parsed = parseTime(value, withZone);
    if (typeof parsed === "string") throw new Error(parsed);
    return parsed;
  };
  return scalarKind({
    fromSpec: () => timeColumn(withZone),
    physical: () => ({
      type: "INT64",
      ...(withZone ? { converted_type: "TIME_MICROS" as const } : {}),
      logical_type: { type: "TIME", isAdjustedToUTC: withZone, unit: "MICROS" },
    }),
    toParquet: () => (value) => BigInt(micros(value)),
    row: (_spec, _element, sink) => (value) => safeInt64(sink, micros(value)),
    // PostgreSQL's text (`12:00:00.5`, `12:00:00+02`), whatever the DateStyle: made canonical here.
    readExpression: (col) => `${col}::text`,
    fromPostgres: () => exact,
    copy: {
      field: (_spec, _element, sink) => (b, at) => {
        // int64 microseconds (within a day: the high word is small), then for timetz the zone in seconds
        // west of UTC, so UTC = local + zone.
        const local = int32BE(b, at) * 2 ** 32 + (int32BE(b, at + 4) >>> 0);
        if (!withZone) return safeInt64(sink, local);
        const utc = local + int32BE(b, at + 8) * 1_000_000;
        safeInt64(sink, (utc % DAY + DAY) % DAY);
      },
    },
    size: () => textSize,
  });
}

/** The `time` kind. */
export const timeKind: ScalarKind = timeKindOf(false);

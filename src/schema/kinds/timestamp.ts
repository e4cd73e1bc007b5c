// This module is browser compatible.

/**
 * The `timestamp` kind (without time zone): Parquet TIMESTAMP(isAdjustedToUTC=false) as INT64 micros or
 * millis; rows carry `YYYY-MM-DDTHH:MM:SS.ffffff` text. `timestampKindOf` also makes `timestamptz`.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import {
  canonical,
  type Canonicalise,
  type Column,
  column,
  type ColumnSpec,
  type FieldWriter,
  orThrow,
  type Refuse,
  type ScalarKind,
  scalarKind,
  SPECIAL_VALUES_HINT,
  textSize,
  type ValueSink,
} from "./kind.ts";
import { bigInt64, int32BE, int64, safeInt64 } from "./plain_bytes.ts";
import { canonicalMicros, formatTimestamp, parseTimestamp, quickTimestamp } from "../values.ts";

const PG_EPOCH_MICROS = 946_684_800_000_000;
const EPOCH_HI = Math.floor(PG_EPOCH_MICROS / 2 ** 32);
const EPOCH_LO = PG_EPOCH_MICROS - EPOCH_HI * 2 ** 32;
// to_jsonb's ISO form in a UTC session: the common case, made canonical with string operations only.
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/;
const TIMESTAMPTZ = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00:00$/;

/** Options of `timestamp()` and `timestamptz()`. */
export interface TimestampOptions {
  /** Stored unit. Default `"micros"`, as PostgreSQL keeps; `"millis"` truncates, by your explicit choice. */
  unit?: "micros" | "millis";
}

function canonicalTimestamp(withZone: boolean, unit: "micros" | "millis"): Canonicalise<string> {
  const digits = unit === "micros" ? 6 : 3;
  return (value) => {
    if (typeof value === "string") {
      if (canonicalMicros(value, withZone, digits) !== undefined) return value;
      const quick = quickTimestamp(value, withZone, digits);
      if (quick !== undefined) return quick;
    }
    const micros = parseTimestamp(value, withZone);
    return typeof micros === "string"
      ? { reason: micros }
      : formatTimestamp(micros, withZone, unit === "micros" ? 6 : 3);
  };
}

/** A timestamp column, with or without time zone. */
export function timestampColumn(withZone: boolean, { unit = "micros" }: TimestampOptions): Column<string> {
  const kind = withZone ? "timestamptz" : "timestamp";
  const spec: ColumnSpec = unit === "micros" ? { kind, nullable: false } : { kind, nullable: false, unit };
  return column(
    spec,
    withZone ? "timestamp with time zone" : "timestamp without time zone",
    canonical(kind, canonicalTimestamp(withZone, unit)),
  );
}

/**
 * A `timestamp without time zone` column: stored as Parquet TIMESTAMP(isAdjustedToUTC=false), microseconds
 * by default. Rows carry `YYYY-MM-DDTHH:MM:SS.ffffff` text (exact; `Date` and bigint microseconds accepted).
 *
 * @example
 * ```ts
 * import { timestamp } from "@parquet-storage/engine";
 * import * as v from "valibot";
 * console.assert(v.parse(timestamp().schema, "2026-11-25 04:05:06.123456") === "2026-11-25T04:05:06.123456");
 * ```
 */
export function timestamp(options: TimestampOptions = {}): Column<string> {
  return timestampColumn(false, options);
}

/** The kind of timestamp columns with (`timestamptz`) or without time zone. */
export function timestampKindOf(withZone: boolean): ScalarKind {
  return scalarKind({
    fromSpec: (spec) => timestampColumn(withZone, { unit: spec.unit }),
    physical(spec): Omit<SchemaElement, "name" | "repetition_type"> {
      const unit = spec.unit === "millis" ? "MILLIS" : "MICROS";
      return {
        type: "INT64",
        // The legacy converted type means "adjusted to UTC", so only timestamptz may carry it.
        ...(withZone ? { converted_type: `TIMESTAMP_${unit}` as const } : {}),
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: withZone, unit },
      };
    },
    toParquet(spec) {
      const divisor = spec.unit === "millis" ? 1000n : 1n;
      return (value) => (parseTimestamp(value, withZone) as bigint) / divisor;
    },
    row(spec, _element, sink) {
      const millis = spec.unit === "millis";
      return (value) => {
        const micros = typeof value === "string"
          ? canonicalMicros(value, withZone, millis ? 3 : 6)
          : undefined;
        if (micros !== undefined) return safeInt64(sink, millis ? Math.floor(micros / 1000) : micros);
        const exact = parseTimestamp(value, withZone);
        if (typeof exact === "string") throw new Error(exact);
        // Floor to milliseconds, as the canonical text's truncated fraction does.
        bigInt64(sink, millis ? (exact - ((exact % 1000n) + 1000n) % 1000n) / 1000n : exact);
      };
    },
    // ISO text with microseconds, whatever the DateStyle; `infinity` stays a string the validator refuses.
    readExpression: (col) => `(to_jsonb(${col}) #>> '{}')`,
    fromPostgres(spec) {
      const pattern = withZone ? TIMESTAMPTZ : TIMESTAMP;
      const digits = spec.unit === "millis" ? 3 : 6;
      const zone = withZone ? "Z" : "";
      const exact = orThrow(canonicalTimestamp(withZone, spec.unit ?? "micros"));
      return (value) => {
        const match = typeof value === "string" ? pattern.exec(value) : null;
        return match
          ? `${match[1]}.${(match[2] ?? "").padEnd(6, "0").slice(0, digits)}${zone}`
          : exact(value);
      };
    },
    copy: { field: (spec, _element, sink, refuse) => timestampField(sink, spec.unit === "millis", refuse) },
    size: () => textSize,
  });
}

/** The `timestamp` kind. */
export const timestampKind: ScalarKind = timestampKindOf(false);

function timestampField(sink: ValueSink, millis: boolean, refuse: Refuse): FieldWriter {
  return (b, at) => {
    const hi = int32BE(b, at);
    const lo = int32BE(b, at + 4) >>> 0;
    if ((hi === 0x7fffffff && lo === 0xffffffff) || (hi === -0x80000000 && lo === 0)) {
      refuse(`infinite timestamps have no Parquet value; ${SPECIAL_VALUES_HINT}`);
    }
    if (!millis) {
      // Microseconds since 1970: add the epochs' difference with a carry from the low word.
      const low = lo + EPOCH_LO;
      return int64(sink, (hi + EPOCH_HI + (low > 0xffffffff ? 1 : 0)) | 0, low >>> 0);
    }
    // Within ±142 years of 2000 the microseconds fit a double exactly.
    if (hi < 0x100000 && hi >= -0x100000) {
      const ms = Math.floor((hi * 2 ** 32 + lo + PG_EPOCH_MICROS) / 1000);
      const high = Math.floor(ms / 2 ** 32);
      return int64(sink, high, ms - high * 2 ** 32);
    }
    const micros = (BigInt(hi) << 32n | BigInt(lo)) + BigInt(PG_EPOCH_MICROS);
    const ms = (micros - ((micros % 1000n) + 1000n) % 1000n) / 1000n;
    int64(sink, Number(ms >> 32n), Number(BigInt.asUintN(32, ms)));
  };
}

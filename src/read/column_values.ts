// This module is browser compatible.

/**
 * How each stored column comes back: from what hyparquet decodes (with decimal, timestamp and date
 * annotations set aside, so nothing passes through a float or a millisecond `Date`) to the physical
 * values filters compare, and from those to the values rows carry.
 *
 * @module
 */

import type { ColumnSpec } from "../schema/columns.ts";
import { formatTime } from "../schema/kinds/time.ts";
import { bytesToBigInt, formatDate, formatDecimal, formatTimestamp } from "../schema/values.ts";

/** Conversions of one stored column. */
export interface ColumnReader {
  /** From hyparquet's decoded value to the physical value (as the encoder stores it). */
  toPhysical(raw: unknown): unknown;
  /** From the physical value to the row value. */
  toRow(physical: unknown): unknown;
  /** From a statistics value (as hyparquet's metadata gives it) to the physical value, if exact. */
  statistic(value: unknown): unknown;
}

const identity = (value: unknown) => value ?? null;

/** The conversions of a column of kind `spec` (for a point, of one of its two coordinate columns). */
export function columnReader(spec: ColumnSpec): ColumnReader {
  if (spec.kind === "array") {
    const element = columnReader(spec.element!);
    return {
      toPhysical: (raw) => (raw == null ? null : (raw as unknown[]).map(element.toPhysical)),
      toRow: (physical) => (physical == null ? null : (physical as unknown[]).map(element.toRow)),
      statistic: () => undefined,
    };
  }
  if (spec.kind === "numeric" && spec.precision !== undefined) {
    const scale = spec.scale ?? 0;
    return {
      toPhysical: (raw) =>
        raw == null ? null : raw instanceof Uint8Array ? bytesToBigInt(raw) : BigInt(raw as number | bigint),
      toRow: (physical) => (physical == null ? null : formatDecimal(physical as bigint, scale)),
      statistic: (value) => {
        // hyparquet gives decimal statistics as floats: use them only where the float is exact.
        if (typeof value !== "number") return undefined;
        const unscaled = Math.round(value * 10 ** scale);
        return Number.isSafeInteger(unscaled) && Math.abs(unscaled) < 2 ** 52 ? BigInt(unscaled) : undefined;
      },
    };
  }
  if (spec.kind === "timestamp" || spec.kind === "timestamptz") {
    const millis = spec.unit === "millis";
    const withZone = spec.kind === "timestamptz";
    return {
      toPhysical: identity,
      toRow: (physical) =>
        physical == null ? null : formatTimestamp(
          millis ? (physical as bigint) * 1000n : (physical as bigint),
          withZone,
          millis ? 3 : 6,
        ),
      statistic: (value) => typeof value === "bigint" ? value : undefined,
    };
  }
  if (spec.kind === "date") {
    return {
      toPhysical: identity,
      toRow: (physical) => (physical == null ? null : formatDate(physical as number)),
      statistic: (value) => typeof value === "number" ? value : undefined,
    };
  }
  if (spec.kind === "time" || spec.kind === "timetz") {
    const withZone = spec.kind === "timetz";
    return {
      toPhysical: identity,
      toRow: (physical) => (physical == null ? null : formatTime(Number(physical), withZone)),
      statistic: (value) => typeof value === "bigint" ? value : undefined,
    };
  }
  if (spec.kind === "bytea" || spec.kind === "geometry") {
    // Bytes compare by value only through their statistics, which hyparquet gives as text: not exact.
    return { toPhysical: identity, toRow: identity, statistic: () => undefined };
  }
  if (spec.kind === "jsonb") {
    return { toPhysical: identity, toRow: identity, statistic: () => undefined };
  }
  return { toPhysical: identity, toRow: identity, statistic: identity };
}

/** hyparquet parsers that leave timestamps and dates as stored numbers, for exact statistics. */
export const RAW_PARSERS = {
  timestampFromMilliseconds: (millis: bigint): bigint => millis,
  timestampFromMicroseconds: (micros: bigint): bigint => micros,
  timestampFromNanoseconds: (nanos: bigint): bigint => nanos,
  dateFromDays: (days: number): number => days,
  // WKB stays bytes, as rows carry it (hyparquet would make GeoJSON of a GeoParquet column).
  geometryFromBytes: (bytes: Uint8Array): Uint8Array => bytes,
  geographyFromBytes: (bytes: Uint8Array): Uint8Array => bytes,
};

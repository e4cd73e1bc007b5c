// This module is browser compatible.

/**
 * A partition key's text from a binary COPY field: the same text `partitionText` gives the column's
 * canonical row value (integers in decimal, booleans as `true`/`false`, uuids in lowercase hex, dates as
 * `YYYY-MM-DD`, timestamps as `YYYY-MM-DDTHH:MM:SS.ffffff[Z]` in UTC, a time key truncated), so a
 * partitioned export through COPY makes the folders the row path makes. Kinds whose text would need a
 * JavaScript number's shortest form or a numeric's exact digits (real, float, numeric) are not read so:
 * such a table takes the row path.
 *
 * It switches on the column's kind (the kinds' own modules know no partitions), for these few kinds only.
 *
 * @module
 */

import type { ColumnSpec } from "../schema/kinds/kind.ts";
import { type PartitionKey, truncateTime } from "../schema/partition_key.ts";

/** The text of a non-null field, `n` bytes at `b[at]`; throws an `Error` saying why there is none. */
export type KeyText = (b: Uint8Array, at: number, n: number) => string;

const PG_EPOCH_DAYS = 10_957; // 2000-01-01 − 1970-01-01
const PG_EPOCH_MICROS = 946_684_800_000_000;
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The reader of `key`'s text from its column's COPY field, or undefined when its kind is not read so.
 *
 * @example
 * ```ts
 * import { defineTable, int, timestamptz } from "@parquet-storage/engine";
 * import { parsePartitionBy } from "../schema/partition_key.ts";
 * import { copyKeyText } from "./copy_partition_key.ts";
 * const table = defineTable("t", { id: int(), at: timestamptz() });
 * const [key] = parsePartitionBy(table, ["at:month"]);
 * // 2026-11-25 04:05:06 UTC, as microseconds since 2000-01-01.
 * const micros = BigInt(Date.UTC(2026, 10, 25, 4, 5, 6)) * 1000n - 946_684_800_000_000n;
 * const field = new Uint8Array(8);
 * new DataView(field.buffer).setBigInt64(0, micros);
 * console.assert(copyKeyText(key)!(field, 0, 8) === "2026-11");
 * ```
 */
export function copyKeyText(key: PartitionKey): KeyText | undefined {
  const text = fieldText(key.spec);
  if (!text || !key.granularity) return text;
  const granularity = key.granularity;
  if (key.spec.kind === "date") return (b, at, n) => truncateTime(text(b, at, n), granularity);
  // A timestamp's key: the text of the last period seen, while the values stay in it (rows clustered by
  // time mostly do), without making each value's text.
  let from = 0, to = 0, last = "";
  return (b, at, n) => {
    const hi = int32(b, at), lo = int32(b, at + 4) >>> 0;
    const micros = hi * 4_294_967_296 + lo; // exact to the microsecond within ±142 years of 2000
    if (micros >= from && micros < to && Math.abs(hi) < 0x100000) return last;
    last = truncateTime(text(b, at, n), granularity);
    [from, to] = periodMicros(last, granularity);
    return last;
  };
}

/** The period a time key's text names, as microseconds since 2000 (PostgreSQL's epoch): `[from, to)`. */
function periodMicros(text: string, granularity: "year" | "month" | "day" | "hour"): [number, number] {
  const [year, month = 1, day = 1, hour = 0] = text.split(/[-T]/).map(Number);
  const start = Date.UTC(year, month - 1, day, hour);
  const date = new Date(start);
  if (granularity === "year") date.setUTCFullYear(year + 1);
  else if (granularity === "month") date.setUTCMonth(month);
  else if (granularity === "day") date.setUTCDate(day + 1);
  else date.setUTCHours(hour + 1);
  if (year < 100 || text.startsWith("-")) return [0, 0]; // Date.UTC reads years 0–99 as 1900–1999
  return [(start * 1000) - PG_EPOCH_MICROS, date.getTime() * 1000 - PG_EPOCH_MICROS];
}

function fieldText(spec: ColumnSpec): KeyText | undefined {
  switch (spec.kind) {
    case "smallint":
      return (b, at) => String((b[at] << 8 | b[at + 1]) << 16 >> 16);
    case "int":
      return (b, at) => String(int32(b, at));
    case "bigint":
      return (b, at) => String(BigInt(int32(b, at)) << 32n | BigInt(int32(b, at + 4) >>> 0));
    case "boolean":
      return (b, at) => b[at] ? "true" : "false";
    case "text":
    case "enum":
      return (b, at, n) => decoder.decode(b.subarray(at, at + n));
    case "uuid":
      return (b, at) => {
        let hex = "";
        for (let i = 0; i < 16; i++) hex += b[at + i].toString(16).padStart(2, "0");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
          hex.slice(20)
        }`;
      };
    case "date":
      return (b, at) => {
        const days = int32(b, at);
        if (days === 0x7fffffff || days === -0x80000000) {
          throw new Error("infinite dates have no Parquet value");
        }
        return isoDay((days + PG_EPOCH_DAYS) * 86_400_000);
      };
    case "timestamp":
    case "timestamptz": {
      const zone = spec.kind === "timestamptz" ? "Z" : "";
      const millis = spec.unit === "millis";
      return (b, at) => {
        const hi = int32(b, at), lo = int32(b, at + 4) >>> 0;
        if ((hi === 0x7fffffff && lo === 0xffffffff) || (hi === -0x80000000 && lo === 0)) {
          throw new Error("infinite timestamps have no Parquet value");
        }
        const micros = BigInt(hi) * 4_294_967_296n + BigInt(lo) + BigInt(PG_EPOCH_MICROS);
        const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
        const iso = isoTime(Number(ms));
        return millis ? `${iso}${zone}` : `${iso}${String(micros - ms * 1000n).padStart(3, "0")}${zone}`;
      };
    }
    default:
      return undefined;
  }
}

/** `YYYY-MM-DD` of a UTC instant in milliseconds (years 0–9999). */
function isoDay(ms: number): string {
  return isoTime(ms).slice(0, 10);
}

/** `YYYY-MM-DDTHH:MM:SS.mmm` of a UTC instant in milliseconds (years 0–9999). */
function isoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24) throw new Error(`a year outside 0–9999 (${iso}) has no partition text`);
  return iso.slice(0, 23);
}

function int32(b: Uint8Array, at: number): number {
  return b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
}

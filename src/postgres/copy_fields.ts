// This module is browser compatible.

/**
 * One PostgreSQL binary COPY field turned into the bytes Parquet stores, per column kind, written
 * straight into the column's {@link ColumnBuffer}: big-endian integers and floats byte-swapped, dates
 * and timestamps moved from PostgreSQL's 2000 epoch to 1970's, numerics made unscaled integers, text and
 * uuids copied as they are. No JS value is made per field, except where a value is out of the range
 * a double holds exactly (a far timestamp in milliseconds, a wide numeric).
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import type { ColumnSpec } from "../schema/columns.ts";
import type { ColumnBuffer, ColumnShape } from "../parquet/column_buffer.ts";

/** Writes one non-null field, `n` bytes at `b[at]`, into its column. */
export type FieldWriter = (b: Uint8Array, at: number, n: number) => void;

const PG_EPOCH_DAYS = 10_957; // 2000-01-01 − 1970-01-01
const PG_EPOCH_MICROS = 946_684_800_000_000;
const EPOCH_HI = Math.floor(PG_EPOCH_MICROS / 2 ** 32);
const EPOCH_LO = PG_EPOCH_MICROS - EPOCH_HI * 2 ** 32;

/** How a column of `element` is laid out in its buffer. */
export function columnShape(element: SchemaElement, nullable: boolean): ColumnShape {
  const width = element.type === "BYTE_ARRAY"
    ? 0
    : element.type === "FIXED_LEN_BYTE_ARRAY"
    ? element.type_length!
    : element.type === "INT64" || element.type === "DOUBLE"
    ? 8
    : element.type === "BOOLEAN"
    ? 1
    : 4;
  return { width, nullable, dictionary: element.type !== "BOOLEAN" };
}

/**
 * The writer of fields of a column of `spec` into `buffer`. `refuse` throws the validation error of a
 * value PostgreSQL has and Parquet cannot hold (an infinite date, a NaN numeric).
 */
export function fieldWriter(
  spec: ColumnSpec,
  element: SchemaElement,
  buffer: ColumnBuffer,
  refuse: (reason: string) => never,
): FieldWriter {
  switch (spec.kind) {
    case "uuid":
      return (b, at) => {
        const d = buffer.reserve(16), o = buffer.length;
        for (let i = 0; i < 16; i++) d[o + i] = b[at + i];
        buffer.commit();
      };
    case "text":
    case "enum":
      return (b, at, n) => buffer.addBytes(b, at, n);
    case "smallint":
      return (b, at) => int32(buffer, (b[at] << 8 | b[at + 1]) << 16 >> 16);
    case "int":
      return (b, at) => int32(buffer, b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);
    case "date":
      return (b, at) => {
        const days = b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
        if (days === 0x7fffffff || days === -0x80000000) refuse("infinite dates have no Parquet value");
        int32(buffer, days + PG_EPOCH_DAYS);
      };
    case "bigint":
    case "float":
      return (b, at) => swapped(buffer, b, at, 8);
    case "real":
      return (b, at) => swapped(buffer, b, at, 4);
    case "boolean":
      return (b, at) => {
        buffer.reserve(1)[buffer.length] = b[at] ? 1 : 0;
        buffer.commit();
      };
    case "timestamp":
    case "timestamptz":
      return timestampWriter(buffer, spec.unit === "millis", refuse);
    case "jsonb":
      // A version byte, then jsonb's text; the spaces after ':' and ',' are dropped to store what
      // JSON.stringify would (the row path's bytes).
      return (b, at, n) => buffer.commitBytes(compactJson(buffer, b, at + 1, n - 1));
    case "numeric":
      if (spec.precision === undefined) {
        return (b, at, n) => {
          // Text: 'NaN', 'Infinity' or '-Infinity' are the only values not starting with a digit or '-0-9'.
          if (b[at] === 0x4e || b[at] === 0x49 || b[at + 1] === 0x49) {
            refuse("NaN and infinite numerics have no Parquet value");
          }
          buffer.addBytes(b, at, n);
        };
      }
      return numericWriter(element, spec.scale ?? 0, buffer, refuse);
    default:
      throw new Error(`unreachable: ${spec.kind} is not read through binary COPY`);
  }
}

function int32(buffer: ColumnBuffer, v: number): void {
  const d = buffer.reserve(4), o = buffer.length;
  d[o] = v;
  d[o + 1] = v >> 8;
  d[o + 2] = v >> 16;
  d[o + 3] = v >> 24;
  buffer.commit();
}

/** `hi * 2^32 + lo` as a little-endian int64. */
function int64(buffer: ColumnBuffer, hi: number, lo: number): void {
  const d = buffer.reserve(8), o = buffer.length;
  d[o] = lo;
  d[o + 1] = lo >>> 8;
  d[o + 2] = lo >>> 16;
  d[o + 3] = lo >>> 24;
  d[o + 4] = hi;
  d[o + 5] = hi >> 8;
  d[o + 6] = hi >> 16;
  d[o + 7] = hi >> 24;
  buffer.commit();
}

/** A big-endian value of `width` bytes, stored little-endian (the bits unchanged: NaNs stay NaNs). */
function swapped(buffer: ColumnBuffer, b: Uint8Array, at: number, width: number): void {
  const d = buffer.reserve(width), o = buffer.length, last = at + width - 1;
  for (let i = 0; i < width; i++) d[o + i] = b[last - i];
  buffer.commit();
}

function timestampWriter(
  buffer: ColumnBuffer,
  millis: boolean,
  refuse: (reason: string) => never,
): FieldWriter {
  return (b, at) => {
    const hi = b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
    const lo = (b[at + 4] << 24 | b[at + 5] << 16 | b[at + 6] << 8 | b[at + 7]) >>> 0;
    if ((hi === 0x7fffffff && lo === 0xffffffff) || (hi === -0x80000000 && lo === 0)) {
      refuse("infinite timestamps have no Parquet value");
    }
    if (!millis) {
      // Microseconds since 1970: add the epochs' difference with a carry from the low word.
      const low = lo + EPOCH_LO;
      return int64(buffer, (hi + EPOCH_HI + (low > 0xffffffff ? 1 : 0)) | 0, low >>> 0);
    }
    // Within ±142 years of 2000 the microseconds fit a double exactly.
    if (hi < 0x100000 && hi >= -0x100000) {
      const ms = Math.floor((hi * 2 ** 32 + lo + PG_EPOCH_MICROS) / 1000);
      const high = Math.floor(ms / 2 ** 32);
      return int64(buffer, high, ms - high * 2 ** 32);
    }
    const micros = (BigInt(hi) << 32n | BigInt(lo)) + BigInt(PG_EPOCH_MICROS);
    const ms = (micros - ((micros % 1000n) + 1000n) % 1000n) / 1000n;
    int64(buffer, Number(ms >> 32n), Number(BigInt.asUintN(32, ms)));
  };
}

/** JSON text without the spaces outside strings, written at `bytes[length + 4…]`; returns its length. */
function compactJson(buffer: ColumnBuffer, json: Uint8Array, at: number, length: number): number {
  const out = buffer.reserve(4 + length), start = buffer.length + 4, end = at + length;
  let n = start, inString = false;
  for (let i = at; i < end; i++) {
    const c = json[i];
    if (inString) {
      out[n++] = c;
      if (c === 0x5c) out[n++] = json[++i]; // backslash: copy the escaped byte as is
      else if (c === 0x22) inString = false;
    } else if (c !== 0x20) {
      out[n++] = c;
      if (c === 0x22) inString = true;
    }
  }
  return n - start;
}

/**
 * A numeric(p,s) as Parquet's DECIMAL: the unscaled integer as INT32 (p ≤ 9), INT64 (p ≤ 18) or
 * big-endian two's complement bytes. PostgreSQL's cast to numeric(p,s) left no digit beyond the scale,
 * so the scaling below is exact.
 */
function numericWriter(
  element: SchemaElement,
  scale: number,
  buffer: ColumnBuffer,
  refuse: (reason: string) => never,
): FieldWriter {
  const type = element.type;
  return (b, at) => {
    const ndigits = b[at] << 8 | b[at + 1];
    const weight = (b[at + 2] << 8 | b[at + 3]) << 16 >> 16;
    const sign = b[at + 4] << 8 | b[at + 5];
    if (sign !== 0 && sign !== 0x4000) refuse("NaN and infinite numerics have no Parquet value");
    // The digits are base 10000, the first of weight `weight`.
    const exponent = 4 * (ndigits - 1 - weight); // decimal exponent of the last digit group
    if (type === "INT32" || (type === "INT64" && ndigits <= 3 && scale - exponent <= 3)) {
      let acc = 0;
      for (let i = 0; i < ndigits; i++) acc = acc * 10000 + (b[at + 8 + 2 * i] << 8 | b[at + 9 + 2 * i]);
      const unscaled = exponent <= scale ? acc * 10 ** (scale - exponent) : acc / 10 ** (exponent - scale);
      const signed = sign ? -unscaled : unscaled;
      if (type === "INT32") return int32(buffer, signed);
      const hi = Math.floor(signed / 2 ** 32);
      return int64(buffer, hi, signed - hi * 2 ** 32);
    }
    let acc = 0n;
    for (let i = 0; i < ndigits; i++) acc = acc * 10000n + BigInt(b[at + 8 + 2 * i] << 8 | b[at + 9 + 2 * i]);
    let unscaled = exponent <= scale
      ? acc * 10n ** BigInt(scale - exponent)
      : acc / 10n ** BigInt(exponent - scale);
    if (sign) unscaled = -unscaled;
    if (type === "INT64") return int64(buffer, Number(unscaled >> 32n), Number(BigInt.asUintN(32, unscaled)));
    const width = element.type_length!;
    const d = buffer.reserve(width), o = buffer.length;
    for (let i = width - 1; i >= 0; i--) {
      d[o + i] = Number(BigInt.asUintN(8, unscaled));
      unscaled >>= 8n;
    }
    buffer.commit();
  };
}

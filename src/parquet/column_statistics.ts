// This module is browser compatible.

/**
 * A column chunk's statistics (min, max, nulls, NaNs) read off a {@link ColumnBuffer}'s bytes: over the
 * dictionary's entries when it has one (each distinct value once), else over the PLAIN values. Bounds
 * come out as hyparquet-writer's footer writer takes them: numbers, bigints, booleans or bytes.
 *
 * @module
 */

import type { SchemaElement, Statistics } from "hyparquet";
import { unconvertMinMax } from "hyparquet-writer/src/unconvert.js";
import { type ColumnBuffer, int32LE } from "./column_buffer.ts";

/**
 * Bounds up to this many bytes are kept whole. A longer text bound is cut as hyparquet-writer's footer
 * would cut it (16 bytes, the maximum rounded up); a longer JSON or BSON bound, which no prefix of a
 * document can stand for, is left out. Either way a 50 MB value is never copied into the statistics,
 * nor into the footer.
 */
const WHOLE_BOUND_BYTES = 1024;

/** Statistics as the footer writer takes them (hyparquet's type, plus Parquet's NaN count). */
export type ChunkStatistics = Statistics & { nan_count?: bigint };

/** Where each value sits: `count` values, value `i` at `offset(i)` with `size(i)` bytes. */
interface Values {
  bytes: Uint8Array;
  count: number;
  offset: (i: number) => number;
  size: (i: number) => number;
}

/** The statistics of the row group in `buffer`, for the footer. */
export function columnStatistics(buffer: ColumnBuffer, element: SchemaElement): ChunkStatistics {
  const null_count = BigInt(buffer.nulls);
  const values = valuesOf(buffer);
  if (!values.count) return { null_count };
  switch (element.type) {
    case "INT32": {
      const [min, max] = int32Bounds(values);
      const decimal = element.converted_type === "DECIMAL";
      return { null_count, min_value: decimal ? BigInt(min) : min, max_value: decimal ? BigInt(max) : max };
    }
    case "INT64": {
      const [min, max] = int64Bounds(values);
      return { null_count, min_value: min, max_value: max };
    }
    case "FLOAT":
    case "DOUBLE":
      return { null_count, ...floatBounds(values, element.type === "FLOAT") };
    case "BOOLEAN": {
      let seen = 0;
      for (let i = 0; i < values.count; i++) seen |= 1 << values.bytes[values.offset(i)];
      return { null_count, min_value: !(seen & 1), max_value: (seen & 2) !== 0 };
    }
    default: {
      // Two's complement decimals do not order as unsigned bytes: no bounds rather than wrong ones.
      if (element.converted_type === "DECIMAL") return { null_count };
      // Raw bytes (bytea, WKB) have no useful order, and a 1 MiB value would put 1 MiB bounds in the footer.
      if (element.type === "BYTE_ARRAY" && !element.converted_type && !element.logical_type) {
        return { null_count };
      }
      return { null_count, ...byteBounds(values, element) };
    }
  }
}

function valuesOf(buffer: ColumnBuffer): Values {
  const dictionary = buffer.dictionary;
  if (dictionary) {
    const { starts, lengths } = dictionary;
    return {
      bytes: dictionary.arena,
      count: dictionary.count,
      offset: (i) => starts[i],
      size: (i) => lengths[i],
    };
  }
  const width = buffer.shape.width;
  if (width) {
    return {
      bytes: buffer.bytes,
      count: buffer.values,
      offset: (i) => i * width,
      size: () => width,
    };
  }
  // BYTE_ARRAY: walk the length prefixes once, into offsets.
  const offsets = new Int32Array(buffer.values);
  const b = buffer.bytes;
  for (let i = 0, o = 0; i < buffer.values; i++) {
    offsets[i] = o + 4;
    o += 4 + int32LE(b, o);
  }
  const size = (i: number) => int32LE(b, offsets[i] - 4);
  return { bytes: b, count: buffer.values, offset: (i) => offsets[i], size };
}

function int32Bounds({ bytes, count, offset }: Values): [number, number] {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < count; i++) {
    const o = offset(i);
    const v = int32LE(bytes, o);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

function int64Bounds({ bytes, count, offset }: Values): [bigint, bigint] {
  let minHi = Infinity, minLo = 0, maxHi = -Infinity, maxLo = 0;
  for (let i = 0; i < count; i++) {
    const o = offset(i);
    const lo = int32LE(bytes, o) >>> 0;
    const hi = int32LE(bytes, o + 4);
    if (hi < minHi || (hi === minHi && lo < minLo)) (minHi = hi), (minLo = lo);
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) (maxHi = hi), (maxLo = lo);
  }
  const join = (hi: number, lo: number) => BigInt(hi) << 32n | BigInt(lo);
  return [join(minHi, minLo), join(maxHi, maxLo)];
}

function floatBounds({ bytes, count, offset }: Values, single: boolean): ChunkStatistics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let min = Infinity, max = -Infinity, nans = 0;
  for (let i = 0; i < count; i++) {
    const v = single ? view.getFloat32(offset(i), true) : view.getFloat64(offset(i), true);
    if (v !== v) nans++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const nan_count = BigInt(nans);
  if (nans === count) return { nan_count };
  // Parquet's rule for signed zero: a zero minimum is -0, a zero maximum +0.
  return { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max, nan_count };
}

function byteBounds({ bytes, count, offset, size }: Values, element: SchemaElement): ChunkStatistics {
  let minAt = offset(0), minSize = size(0), maxAt = minAt, maxSize = minSize;
  for (let i = 1; i < count; i++) {
    const at = offset(i), n = size(i);
    if (compare(bytes, at, n, minAt, minSize) < 0) (minAt = at), (minSize = n);
    else if (compare(bytes, at, n, maxAt, maxSize) > 0) (maxAt = at), (maxSize = n);
  }
  const min = shortBound(bytes.subarray(minAt, minAt + minSize), element, false);
  const max = shortBound(bytes.subarray(maxAt, maxAt + maxSize), element, true);
  if (!min || !max) return {};
  return {
    min_value: min,
    max_value: max,
    ...(min.length < minSize ? { is_min_value_exact: false } : {}),
    ...(max.length < maxSize ? { is_max_value_exact: false } : {}),
  };
}

/**
 * A copy of a bound (a view into the buffer, which the next row group reuses) no longer than
 * {@link WHOLE_BOUND_BYTES}, cut when longer (a prefix for a minimum, rounded up for a maximum); undefined
 * when a long bound cannot be cut (JSON, or a maximum of 0xFF bytes).
 */
function shortBound(bound: Uint8Array, element: SchemaElement, isMax: boolean): Uint8Array | undefined {
  if (bound.length <= WHOLE_BOUND_BYTES) return bound.slice();
  const cut = unconvertMinMax(bound, element, isMax) as Uint8Array;
  return cut === bound || cut.length >= bound.length ? undefined : cut;
}

/** Unsigned lexicographic order of two ranges of `b`, as Parquet orders BYTE_ARRAY bounds. */
function compare(b: Uint8Array, a: number, an: number, c: number, cn: number): number {
  const n = an < cn ? an : cn;
  for (let i = 0; i < n; i++) {
    const d = b[a + i] - b[c + i];
    if (d) return d;
  }
  return an - cn;
}

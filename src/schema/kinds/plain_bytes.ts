// This module is browser compatible.

/**
 * The few PLAIN layouts kinds write into a {@link ValueSink}: little-endian INT32 and INT64, and a
 * big-endian field (binary COPY's byte order) stored little-endian. Shared by the kinds so that each
 * writes a value in one line.
 *
 * @module
 */

import type { ValueSink } from "./kind.ts";

/** Stores `v` as a little-endian INT32. */
export function int32(sink: ValueSink, v: number): void {
  const d = sink.reserve(4), o = sink.length;
  d[o] = v;
  d[o + 1] = v >> 8;
  d[o + 2] = v >> 16;
  d[o + 3] = v >> 24;
  sink.commit();
}

/** Stores `hi * 2^32 + lo` as a little-endian INT64. */
export function int64(sink: ValueSink, hi: number, lo: number): void {
  const d = sink.reserve(8), o = sink.length;
  d[o] = lo;
  d[o + 1] = lo >>> 8;
  d[o + 2] = lo >>> 16;
  d[o + 3] = lo >>> 24;
  d[o + 4] = hi;
  d[o + 5] = hi >> 8;
  d[o + 6] = hi >> 16;
  d[o + 7] = hi >> 24;
  sink.commit();
}

/** Stores a bigint (in the int64 range) as a little-endian INT64. */
export function bigInt64(sink: ValueSink, value: bigint): void {
  int64(sink, Number(value >> 32n), Number(BigInt.asUintN(32, value)));
}

/** Stores a safe integer as a little-endian INT64. */
export function safeInt64(sink: ValueSink, value: number): void {
  const hi = Math.floor(value / 2 ** 32);
  int64(sink, hi, value - hi * 2 ** 32);
}

/** Stores the big-endian value of `width` bytes at `b[at]` little-endian (the bits unchanged: NaNs stay). */
export function swapped(sink: ValueSink, b: Uint8Array, at: number, width: number): void {
  const d = sink.reserve(width), o = sink.length, last = at + width - 1;
  for (let i = 0; i < width; i++) d[o + i] = b[last - i];
  sink.commit();
}

/** The big-endian int32 at `b[at]`, as binary COPY sends lengths and integers. */
export function int32BE(b: Uint8Array, at: number): number {
  return b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
}

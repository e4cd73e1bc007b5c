// This module is browser compatible.

/**
 * Parquet's RLE/bit-packed hybrid encoding (levels, dictionary indices, booleans), written straight into
 * a `ByteWriter`'s bytes. It makes the same choices as hyparquet-writer's `writeRleBitPackedHybrid`
 * (runs of 8 or more equal values as RLE, the rest bit-packed in groups of 8), which it replaces on the
 * write path because that one goes through `appendUint8` (a bounds check and a DataView call) for every
 * byte: the levels of the bench's two array columns and the indices of its dictionary columns cost an
 * export more CPU there than their values' compression.
 *
 * @module
 */

import type { ByteWriter } from "hyparquet-writer";

/**
 * Appends `values` (each below `2 ** bitWidth`, `bitWidth` at most 24) to `writer`, RLE/bit-packed
 * hybrid, without a length prefix; returns the bytes written.
 *
 * @example
 * ```ts
 * import { ByteWriter } from "hyparquet-writer";
 * import { writeRleBitPackedHybrid } from "./rle_hybrid.ts";
 * const writer = new ByteWriter();
 * writeRleBitPackedHybrid(writer, new Uint8Array(10).fill(1), 1);
 * console.assert(writer.getBytes().join() === "20,1"); // a run of 10 ones
 * ```
 */
export function writeRleBitPackedHybrid(
  writer: ByteWriter,
  values: Uint8Array | Int32Array,
  bitWidth: number,
): number {
  const n = values.length;
  const valueBytes = (bitWidth + 7) >> 3;
  // At worst every 8 values are a header and a group, or a header and a run's value.
  writer.ensure(Math.ceil(n / 8) * (bitWidth + valueBytes + 10) + 10);
  const out = new Uint8Array(writer.buffer);
  const mask = bitWidth >= 32 ? -1 : (1 << bitWidth) - 1;
  const start = writer.index;
  let o = start, i = 0, pendingFrom = 0, pending = 0;
  while (i < n) {
    const first = values[i];
    let run = 1;
    while (i + run < n && values[i + run] === first) run++;
    if (run < 8) {
      if (!pending) pendingFrom = i;
      pending++;
      i += 8;
      continue;
    }
    if (pending) o = packGroups(out, o, values, pendingFrom, pending, bitWidth, mask);
    pending = 0;
    o = varint(out, o, run << 1);
    for (let b = 0; b < valueBytes; b++) out[o++] = (first >>> (b << 3)) & 0xff;
    i += run;
  }
  if (pending) o = packGroups(out, o, values, pendingFrom, pending, bitWidth, mask);
  const written = o - start;
  writer.index += written;
  writer.offset += written;
  return written;
}

/** `groups` groups of 8 values from `from` (zeros past the end), bit-packed after their header. */
function packGroups(
  out: Uint8Array,
  o: number,
  values: Uint8Array | Int32Array,
  from: number,
  groups: number,
  bitWidth: number,
  mask: number,
): number {
  o = varint(out, o, groups << 1 | 1);
  const end = from + groups * 8, n = values.length;
  let buffer = 0, bits = 0;
  for (let i = from; i < end; i++) {
    buffer |= (i < n ? values[i] & mask : 0) << bits;
    bits += bitWidth;
    while (bits >= 8) {
      out[o++] = buffer & 0xff;
      buffer >>>= 8;
      bits -= 8;
    }
  }
  return o;
}

function varint(out: Uint8Array, o: number, value: number): number {
  while (value > 0x7f) {
    out[o++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[o++] = value;
  return o;
}

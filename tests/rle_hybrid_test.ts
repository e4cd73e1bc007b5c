/** The RLE/bit-packed hybrid writer: hyparquet decodes what it writes, and it is hyparquet-writer's format. */
import assert from "node:assert/strict";
import { ByteWriter } from "hyparquet-writer";
import { writeRleBitPackedHybrid as theirs } from "hyparquet-writer/src/encoding.js";
import { readRleBitPackedHybrid } from "hyparquet/src/encoding.js";
import { writeRleBitPackedHybrid } from "../src/parquet/rle_hybrid.ts";

/** Values below 2 ** width: runs of random lengths mixed with noise, as levels and indices come. */
function values(n: number, width: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  let x = seed;
  const next = () => (x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9 | 0) >>> 0;
  for (let i = 0; i < n;) {
    const value = next() % 2 ** width, run = next() % 3 === 0 ? 1 + next() % 40 : 1;
    for (let r = 0; r < run && i < n; r++, i++) out[i] = next() % 4 === 0 ? next() % 2 ** width : value;
  }
  return out;
}

Deno.test("rle hybrid: every width and length reads back in hyparquet, and as hyparquet-writer writes it", () => {
  for (const width of [1, 2, 3, 5, 8, 12, 17, 20, 24]) {
    for (const n of [0, 1, 7, 8, 9, 64, 1000, 100_003]) {
      const input = values(n, width, width * 7919 + n);
      const writer = new ByteWriter(16);
      writer.appendUint8(0xee); // something before: written at the writer's index, not at 0
      const written = writeRleBitPackedHybrid(writer, input, width);
      assert.equal(writer.index, 1 + written);
      const bytes = writer.getBytes();
      const output = new Array<number>(n);
      const reader = { view: new DataView(bytes.buffer, 1, written), offset: 0 };
      readRleBitPackedHybrid(reader, width, output, written);
      assert.deepEqual(Int32Array.from(output), input, `width ${width}, ${n} values`);
      const reference = new ByteWriter(16);
      reference.appendUint8(0xee);
      theirs(reference, input, width);
      assert.deepEqual(bytes, reference.getBytes(), `width ${width}, ${n} values: same bytes`);
    }
  }
  // Bytes (levels, booleans) as well as indices.
  const levels = new Uint8Array([3, 3, 3, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 1]);
  const writer = new ByteWriter();
  writeRleBitPackedHybrid(writer, levels, 2);
  const output = new Array<number>(levels.length);
  readRleBitPackedHybrid({ view: new DataView(writer.buffer), offset: 0 }, 2, output, writer.index);
  assert.deepEqual(output, [...levels]);
});

/** A column buffer's dictionary: given up, dropped by settle, kept when it pays; read back by hyparquet and DuckDB. */
import assert from "node:assert/strict";
import { ColumnBuffer } from "../src/parquet/column_buffer.ts";
import {
  assertReadsBack,
  chunkFile,
  dictionaryOf,
  INT32,
  INT64,
  putInt32,
  putInt64,
  putText,
  TEXT,
} from "./helpers/copy_pages.ts";

Deno.test("ColumnBuffer: dictionaries given up mid row group, dropped by settle, kept when they pay", async (t) => {
  await t.step("text: the dictionary is given up past half distinct; PLAIN rebuilt with nulls", async () => {
    const buffer = new ColumnBuffer({ width: 0, nullable: true, dictionary: true });
    const expected: (string | null)[] = [];
    let givenUpAt = -1;
    for (let i = 0; i < 10_000; i++) {
      const value = i % 5 === 0 ? null : i < 3000 ? `few ${i % 10}` : `distinct ${i} ${"é".repeat(i % 7)}`;
      if (value === null) buffer.addNull();
      else putText(buffer, value, i % 2 === 0);
      expected.push(value);
      if (givenUpAt < 0 && !buffer.dictionary) givenUpAt = i;
    }
    assert.ok(givenUpAt > 3000 && givenUpAt < 9999, `given up at row ${givenUpAt}`);
    assert.deepEqual([buffer.rows, buffer.nulls, buffer.values], [10_000, 2000, 8000]);
    for (const codec of ["UNCOMPRESSED", "SNAPPY"] as const) {
      await assertReadsBack(await chunkFile([buffer], [TEXT], codec, 1024), "t", expected);
    }
  });

  await t.step("int64: given up at the first check, every value distinct", async () => {
    const buffer = new ColumnBuffer({ width: 8, nullable: false, dictionary: true });
    const expected = Array.from(
      { length: 5000 },
      (_, i) => BigInt(i) * -3_000_000_007n + 9_000_000_000_000_000n,
    );
    for (const value of expected) putInt64(buffer, value);
    assert.equal(buffer.dictionary, undefined);
    assert.equal(buffer.length, 5000 * 8);
    await assertReadsBack(await chunkFile([buffer], [INT64], "ZSTD", 4096), "v", expected);
  });

  await t.step("text: a dictionary over 1 MiB is given up though values repeat", async () => {
    const buffer = new ColumnBuffer({ width: 0, nullable: true, dictionary: true });
    const expected: string[] = [];
    let givenUpAt = -1;
    // Each value three times: never half distinct, but 2049 values of 1 KiB make 2 MiB.
    for (let i = 0; i < 7000; i++) {
      const value = `${Math.floor(i / 3)}`.padEnd(1024, "x");
      putText(buffer, value, false);
      expected.push(value);
      if (givenUpAt < 0 && !buffer.dictionary) givenUpAt = i;
    }
    assert.equal(givenUpAt, 2048 * 3, "given up when the 2049th distinct value arrives");
    await assertReadsBack(await chunkFile([buffer], [TEXT], "GZIP", 64 * 1024), "t", expected);
  });

  await t.step("settle drops a dictionary that would not be smaller, and rebuilds PLAIN", async () => {
    const buffer = new ColumnBuffer({ width: 4, nullable: false, dictionary: true });
    const expected = Array.from({ length: 1000 }, (_, i) => (i * 7919) | 0);
    for (const value of expected) putInt32(buffer, value);
    assert.ok(buffer.dictionary, "under 2048 distinct values, no check has run yet");
    buffer.settle();
    assert.equal(buffer.dictionary, undefined);
    const plain = new Int32Array(buffer.bytes.buffer, buffer.bytes.byteOffset, buffer.length / 4);
    assert.deepEqual([...plain], expected);
    await assertReadsBack(await chunkFile([buffer], [INT32]), "i", expected);
  });

  await t.step("settle keeps a dictionary that pays, and a column of only nulls has none", async () => {
    const few = new ColumnBuffer({ width: 0, nullable: true, dictionary: true });
    const nulls = new ColumnBuffer({ width: 0, nullable: true, dictionary: true });
    const expected: (string | null)[] = [];
    for (let i = 0; i < 3000; i++) {
      const value = i % 3 === 0 ? null : ["a", "bb", "ccc"][i % 4 % 3];
      if (value === null) few.addNull();
      else putText(few, value, true);
      nulls.addNull();
      expected.push(value);
    }
    few.settle();
    nulls.settle();
    assert.ok(few.dictionary, "3 values in 2000 pay");
    assert.equal(nulls.dictionary, undefined);
    const bytes = await chunkFile([few, nulls], [TEXT, { ...TEXT, name: "n" }], "BROTLI");
    await assertReadsBack(bytes, "t", expected);
    await assertReadsBack(bytes, "n", expected.map(() => null));
  });

  await t.step(
    "dictionary indices of every width around powers of two, in pages of one to a few rows",
    async () => {
      for (const distinct of [1, 2, 3, 4, 255, 256, 257, 1024, 1025]) {
        const buffer = new ColumnBuffer({ width: 0, nullable: true, dictionary: true });
        const expected: (string | null)[] = [];
        for (let i = 0; i < Math.max(4 * distinct, 600); i++) {
          // The last distinct value only once, at the end: the highest index is the one that needs every bit.
          const value = i % 13 === 5 ? null : `k${i % Math.max(1, distinct - 1)}`;
          if (value === null) buffer.addNull();
          else putText(buffer, value, false);
          expected.push(value);
        }
        if (distinct > 1) {
          putText(buffer, `k${distinct - 1}`, true);
          expected.push(`k${distinct - 1}`);
        }
        buffer.settle();
        assert.equal(
          dictionaryOf(buffer)?.count,
          distinct,
          `${distinct} distinct values keep their dictionary`,
        );
        for (const pageSize of [1, 7]) {
          await assertReadsBack(await chunkFile([buffer], [TEXT], "SNAPPY", pageSize), "t", expected);
        }
      }
    },
  );

  await t.step("reset reuses the buffer: the next row group starts in dictionary mode again", async () => {
    const buffer = new ColumnBuffer({ width: 8, nullable: false, dictionary: true });
    for (let i = 0; i < 5000; i++) putInt64(buffer, BigInt(i));
    assert.equal(buffer.dictionary, undefined);
    buffer.reset();
    assert.ok(dictionaryOf(buffer), "dictionary mode again");
    const expected = Array.from({ length: 3000 }, (_, i) => BigInt(i % 3));
    for (const value of expected) putInt64(buffer, value);
    assert.equal(dictionaryOf(buffer)?.count, 3);
    await assertReadsBack(await chunkFile([buffer], [INT64]), "v", expected);
  });
});

/**
 * Data pages whose values do not compress are stored as they are (`is_compressed: false`), and every
 * reader takes them: hyparquet, DuckDB and arrow-rs, for every codec.
 */

import assert from "node:assert/strict";
import { parquetMetadata } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { defineTable, EncodeStream, int, readParquet, type Row, text, uuid } from "../mod.ts";
import { CODECS } from "../write.ts";
import { loadCompressors } from "../src/parquet/codecs.ts";
import { DataPageCompressor, STORED_PAGES } from "../src/parquet/page_compression.ts";
import { arrowRead } from "./helpers/arrow.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(n, at + 65536)));
  return bytes;
}

Deno.test("page compressor: a column that does not compress is stored as it is, and tried again later", async () => {
  const { SNAPPY } = await loadCompressors("SNAPPY");
  const pages = new DataPageCompressor("SNAPPY", SNAPPY);
  const noise = randomBytes(100_000);
  const first = pages.compress("key", noise);
  assert.equal(first.compressed, false);
  assert.equal(first.pieces[0], noise);
  // The other columns are judged on their own.
  const text = new TextEncoder().encode("clay, firm grey ".repeat(5000));
  const compressed = pages.compress("note", text);
  assert.ok(compressed.compressed && compressed.pieces.reduce((n, p) => n + p.length, 0) < text.length / 4);
  // The next pages of the column are stored without trying, even compressible ones; then it is tried.
  for (let i = 0; i < STORED_PAGES; i++) {
    assert.equal(pages.compress("key", text).compressed, false, `page ${i}`);
  }
  assert.equal(pages.compress("key", text).compressed, true);
  // UNCOMPRESSED stores every page as it is.
  assert.equal(new DataPageCompressor("UNCOMPRESSED", undefined).compress("note", text).compressed, false);
});

const table = defineTable("noise", { id: int(), key: uuid(), note: text().nullable() });

/** Whether each data page of `column` is compressed, in file order. */
function compressedPages(bytes: Uint8Array, column: string): boolean[] {
  const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags: boolean[] = [];
  for (const group of metadata.row_groups) {
    const meta = group.columns.find((c) => c.meta_data!.path_in_schema[0] === column)!.meta_data!;
    let offset = Number(meta.data_page_offset);
    const end = Number(meta.dictionary_page_offset ?? meta.data_page_offset) +
      Number(meta.total_compressed_size);
    while (offset < end) {
      const reader = { view, offset };
      const header = parquetHeader(reader);
      flags.push(header.data_page_header_v2!.is_compressed !== false);
      offset = reader.offset + header.compressed_page_size;
    }
  }
  return flags;
}

Deno.test("stored pages: random uuids stored as they are, text compressed; same rows in every reader, every codec", async () => {
  const rows: Row[] = Array.from({ length: 3000 }, (_, i) => ({
    id: i,
    key: crypto.randomUUID(),
    note: i % 7 === 0 ? null : `clay, firm grey #${i % 13}`,
  }));
  const dir = await tempDir();
  for (const codec of CODECS) {
    const stream = ReadableStream.from(rows).pipeThrough(
      new EncodeStream(table, { codec, rowGroupSize: 1000, pageSize: 1024 }),
    );
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    const keys = compressedPages(bytes, "key");
    assert.ok(keys.length > STORED_PAGES + 2, codec);
    assert.ok(keys.filter((c) => c).length === 0, `${codec}: a page of random uuids was compressed`);
    if (codec !== "UNCOMPRESSED") assert.ok(compressedPages(bytes, "note").some((c) => c), codec);
    assert.deepEqual(await readParquet(bytes), rows, codec);
    const path = `${dir}/${codec}.parquet`;
    await Deno.writeFile(path, bytes);
    const duck = await duckdbRows(
      `SELECT id, key::text AS key, note FROM read_parquet(${sqlString(path)}) ORDER BY id`,
    );
    assert.deepEqual(duck, rows, codec);
    const rust = await arrowRead(bytes);
    assert.equal(rust.numRows, rows.length, codec);
    assert.deepEqual(rust.rows.map((r) => r.note), rows.map((r) => r.note), codec);
    assert.equal(rust.rows[1234].id, 1234, codec);
  }
});

/**
 * Every shape of file the encoder writes (0 rows, 1 row, all-NULL columns, many row groups, every codec)
 * read by three independent readers (hyparquet, DuckDB, arrow-rs), and every page's CRC checked.
 */

import assert from "node:assert/strict";
import { parquetMetadata } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import CRC32 from "crc-32";
import {
  array,
  bigint,
  boolean,
  date,
  defineTable,
  EncodeStream,
  enumOf,
  float,
  geographyPoint,
  int,
  jsonb,
  numeric,
  readParquet,
  real,
  type Row,
  smallint,
  text,
  timestamp,
  timestamptz,
  uuid,
} from "../mod.ts";
import { type Codec, CODECS } from "../write.ts";
import { arrowRead } from "./helpers/arrow.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";

const table = defineTable("every_kind", {
  id: int(),
  s: smallint().nullable(),
  b: bigint().nullable(),
  r: real().nullable(),
  f: float().nullable(),
  n: numeric(8, 2).nullable(),
  wide: numeric(30, 4).nullable(),
  free: numeric().nullable(),
  ok: boolean().nullable(),
  day: date().nullable(),
  at: timestamp().nullable(),
  atz: timestamptz({ unit: "millis" }).nullable(),
  doc: jsonb().nullable(),
  key: uuid().nullable(),
  label: text().nullable(),
  state: enumOf("state", ["on", "off"]).nullable(),
  tags: array(text().nullable()).nullable(),
  counts: array(int()).nullable(),
  place: geographyPoint().nullable(),
});

function row(i: number, allNull = false): Row {
  if (allNull) return { id: i };
  return {
    id: i,
    s: -i,
    b: BigInt(i) * 10_000_000_000n,
    r: i / 4,
    f: i / 3,
    n: (i / 100).toFixed(2),
    wide: `-${i}12345678901234567890.1234`,
    free: `${i}.5`,
    ok: i % 2 === 0,
    day: "2026-11-25",
    at: "2026-11-25T04:05:06.123456",
    atz: "2026-11-25T04:05:06.123Z",
    doc: { i, list: [1, "x"] },
    key: "8e0f4b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
    label: `label ${i % 7}`,
    state: i % 2 ? "on" : "off",
    tags: i % 3 === 0 ? [] : ["a", null, `t${i}`],
    counts: Array.from({ length: i % 4 }, (_, k) => k),
    place: { latitude: 1.5, longitude: -(i % 1800) / 10 },
  };
}

async function encode(
  rows: Row[],
  codec: Codec = "SNAPPY",
  rowGroupSize = 1000,
  pageSize?: number,
): Promise<Uint8Array> {
  const stream = ReadableStream.from(rows).pipeThrough(
    new EncodeStream(table, { codec, rowGroupSize, pageSize }),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Walks every page of every chunk and checks its CRC32 against its bytes. */
function checkPageCrcs(bytes: Uint8Array): number {
  const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pages = 0;
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data!;
      let offset = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      const end = offset + Number(meta.total_compressed_size);
      while (offset < end) {
        const reader = { view, offset };
        const header = parquetHeader(reader);
        const body = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
        assert.equal(header.crc, CRC32.buf(body), `page at ${offset} of ${meta.path_in_schema.join(".")}`);
        offset = reader.offset + header.compressed_page_size;
        pages++;
      }
    }
  }
  return pages;
}

async function readAll(bytes: Uint8Array, rows: number) {
  const dir = await tempDir();
  const path = `${dir}/f.parquet`;
  await Deno.writeFile(path, bytes);
  const ours = await readParquet(bytes);
  assert.equal(ours.length, rows);
  const duck = await duckdbRows(`SELECT * FROM read_parquet(${sqlString(path)}) ORDER BY id`);
  assert.equal(duck.length, rows);
  const rust = await arrowRead(bytes);
  assert.equal(rust.numRows, rows);
  assert.deepEqual(rust.names, duck.length ? Object.keys(duck[0]) : rust.names);
  return { ours, duck, rust };
}

Deno.test("a 0-row file has a footer every reader takes (empty lists carry their element type)", async () => {
  const bytes = await encode([]);
  const { rust } = await readAll(bytes, 0);
  assert.ok(rust.names.includes("place_latitude") && rust.names.includes("tags"));
  assert.equal(parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.length, 0);
});

Deno.test("one row, and all-NULL columns, read back the same in hyparquet, DuckDB and arrow-rs", async () => {
  const one = await readAll(await encode([row(1)]), 1);
  assert.deepEqual(one.ours[0], { ...row(1), doc: { i: 1, list: [1, "x"] } });
  assert.equal(one.duck[0].wide, "-112345678901234567890.1234");
  assert.deepEqual(one.rust.rows[0].tags, ["a", null, "t1"]);
  const nulls = await readAll(await encode([row(1, true), row(2, true)]), 2);
  for (const [name, value] of Object.entries(nulls.duck[1])) {
    assert.equal(value, name === "id" ? 2 : null, name);
  }
  assert.equal(nulls.rust.rows[0].tags, null);
  assert.equal(nulls.ours[0].place, null);
});

Deno.test("many row groups and every codec: same rows in every reader, and every page's CRC is right", async () => {
  const rows = Array.from({ length: 2500 }, (_, i) => row(i, i % 11 === 0));
  for (const codec of CODECS) {
    const bytes = await encode(rows, codec, 700);
    assert.equal(parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.length, 4, codec);
    assert.ok(checkPageCrcs(bytes) >= 4 * 20, codec);
    const { ours, duck, rust } = await readAll(bytes, rows.length);
    assert.deepEqual(ours[13], rows[13], codec);
    assert.equal(duck[13].n, rows[13].n, codec);
    assert.deepEqual(duck[14].counts, rows[14].counts, codec);
    assert.deepEqual(rust.rows[13].tags, rows[13].tags, codec);
    assert.equal(rust.rows[22].tags, null, codec);
  }
});

Deno.test("small pages cut LIST columns between rows only, and every reader agrees", async () => {
  const rows = Array.from({ length: 600 }, (_, i) => row(i, i % 13 === 0));
  const bytes = await encode(rows, "ZSTD", 1000, 64);
  const pages = checkPageCrcs(bytes);
  assert.ok(pages > 200, `expected many pages, got ${pages}`);
  const { ours, duck, rust } = await readAll(bytes, rows.length);
  assert.deepEqual(
    ours,
    rows.map((r) => ({ ...Object.fromEntries(Object.keys(table.columns).map((k) => [k, null])), ...r })),
  );
  for (const i of [0, 1, 2, 3, 299, 598, 599]) {
    assert.deepEqual(duck[i].tags, rows[i].tags ?? null, `row ${i}`);
    assert.deepEqual(duck[i].counts, rows[i].counts ?? null, `row ${i}`);
    assert.deepEqual(rust.rows[i].counts, rows[i].counts ?? null, `row ${i}`);
  }
});

Deno.test("the footer carries its CRC32; a file of another writer, without one, still reads", async () => {
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const { checkFooterChecksum, FOOTER_CRC_KEY } = await import("../src/parquet/footer_checksum.ts");
  const footerOf = (bytes: Uint8Array) => {
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
    return bytes.slice(bytes.length - 8 - length, bytes.length - 8);
  };
  const ours = await new Response(
    ReadableStream.from([{ id: 1 }]).pipeThrough(new EncodeStream(defineTable("t", { id: int() }))),
  ).bytes();
  assert.equal(checkFooterChecksum(footerOf(ours)), "ok");
  assert.ok(parquetMetadata(ours.buffer).key_value_metadata?.some((kv) => kv.key === FOOTER_CRC_KEY));
  const theirs = new Uint8Array(
    parquetWriteBuffer({ columnData: [{ name: "id", data: [1, 2], type: "INT32" }] }),
  );
  assert.equal(checkFooterChecksum(footerOf(theirs)), "absent");
  assert.deepEqual(await readParquet(theirs.buffer), [{ id: 1 }, { id: 2 }]);
});

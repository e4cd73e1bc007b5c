/**
 * The column buffers' LIST API as a door other than rows would use it (binary COPY's arrays): values and
 * levels written straight into a buffer, then encoded and framed by src/parquet, read back by hyparquet,
 * DuckDB and arrow-rs.
 */

import assert from "node:assert/strict";
import { array, defineTable, int, readParquet, text } from "../mod.ts";
import { ColumnBuffer } from "../src/parquet/column_buffer.ts";
import { ParquetFileWriter } from "../src/parquet/file_writer.ts";
import { parquetLeaves } from "../src/parquet/leaves.ts";
import { stateEncoder } from "../src/parquet/row_group_encoder.ts";
import { int32, utf8 } from "../src/schema/kinds/plain_bytes.ts";
import { parquetLayout } from "../src/schema/parquet_schema.ts";
import { TABLE_METADATA_KEY, tableSpec } from "../src/schema/table.ts";
import { arrowRead } from "./helpers/arrow.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";

Deno.test("LIST buffers filled element by element: NULL arrays, empty arrays, NULL elements", async () => {
  const table = defineTable("lists", {
    id: int(),
    tags: array(text().nullable()).nullable(),
    counts: array(int()),
  });
  const layout = parquetLayout(table);
  const leaves = parquetLeaves(layout.schema);
  assert.deepEqual(leaves.map((l) => l.path.join(".")), ["id", "tags.list.element", "counts.list.element"]);
  const [ids, tags, counts] = leaves.map((leaf) => new ColumnBuffer(leaf.shape));
  const expected: { id: number; tags: (string | null)[] | null; counts: number[] }[] = [];
  for (let id = 0; id < 50; id++) {
    int32(ids, id);
    const tagList = id % 5 === 0 ? null : id % 5 === 1 ? [] : ["a", null, `t${id}`].slice(0, id % 4);
    if (tagList === null) tags.addNull();
    else {
      tags.beginList(tagList.length);
      for (const tag of tagList) tag === null ? tags.addNullElement() : utf8(tags, tag);
    }
    const countList = Array.from({ length: id % 3 }, (_, k) => k * id);
    counts.beginList(countList.length);
    for (const count of countList) int32(counts, count);
    expected.push({ id, tags: tagList, counts: countList });
  }
  assert.equal(tags.rows, 50);
  assert.equal(counts.rows, 50);
  const encode = await stateEncoder({
    elements: leaves.map((l) => l.element),
    paths: leaves.map((l) => l.path),
    codec: "SNAPPY",
    pageSize: 64,
  });
  const chunks: Uint8Array[] = [];
  const file = new ParquetFileWriter({
    schema: layout.schema,
    metadata: [{ key: TABLE_METADATA_KEY, value: JSON.stringify(tableSpec(table)) }],
  }, (bytes) => chunks.push(bytes.slice()));
  file.append(encode([ids, tags, counts]), 50);
  file.finish();
  const bytes = await new Blob(chunks as BlobPart[]).bytes();

  assert.deepEqual(await readParquet(bytes), expected);
  const path = `${await tempDir()}/lists.parquet`;
  await Deno.writeFile(path, bytes);
  const duck = await duckdbRows(`SELECT * FROM read_parquet(${sqlString(path)}) ORDER BY id`);
  assert.deepEqual(duck, expected);
  const rust = await arrowRead(bytes);
  assert.deepEqual(rust.rows.map((r) => r.tags), expected.map((r) => r.tags));
  assert.deepEqual(rust.rows.map((r) => r.counts), expected.map((r) => r.counts));
});

import assert from "node:assert/strict";
import type { SchemaElement } from "hyparquet";
import { array, defineTable, int, readDataset, readParquet, text } from "../mod.ts";
import { parquetLayout } from "../src/schema/parquet_schema.ts";
import { topLevelColumns } from "../src/read/top_level.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";

const names = (schema: SchemaElement[]) => topLevelColumns(schema).map((e) => e.name);

Deno.test("topLevelColumns: the root's children, a group counted once and its elements skipped", () => {
  const { schema } = parquetLayout(defineTable("t", { id: int(), tags: array(text()), name: text() }));
  assert.deepEqual(names(schema), ["id", "tags", "name"]);
  // Nested groups (a struct holding a list), as other writers make them.
  const nested: SchemaElement[] = [
    { name: "root", num_children: 3 },
    { name: "a", type: "INT32" },
    { name: "s", num_children: 2 },
    { name: "x", type: "INT32" },
    { name: "l", num_children: 1, converted_type: "LIST" },
    { name: "list", num_children: 1, repetition_type: "REPEATED" },
    { name: "element", type: "INT32" },
    { name: "b", type: "BYTE_ARRAY" },
  ];
  assert.deepEqual(names(nested), ["a", "s", "b"]);
  assert.deepEqual(names([{ name: "root", num_children: 0 }]), []);
});

Deno.test("a foreign dataset with a list column reads with the list's name, as readParquet does", async () => {
  const dir = await tempDir();
  await duckdbRows(`COPY (SELECT i AS id, [i, i + 1] AS nums, 'k' || (i % 2) AS kind FROM range(4) t(i))
    TO ${sqlString(dir)} (FORMAT PARQUET, PARTITION_BY (kind))`);
  const rows = await readDataset(dir);
  assert.equal(rows.length, 4);
  for (const row of rows) assert.deepEqual(Object.keys(row).sort(), ["id", "kind", "nums"]);
  const [file] = [...Deno.readDirSync(`${dir}/kind=k0`)];
  const single = await readParquet(`${dir}/kind=k0/${file.name}`);
  assert.deepEqual(Object.keys(single[0]).sort(), ["id", "nums"]);
});

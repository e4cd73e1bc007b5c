/** Partitioned datasets: bad keys, bad rows, aborts and bad reads leave nothing half-written and say why. */

import assert from "node:assert/strict";
import {
  defineTable,
  int,
  jsonb,
  ParquetStorageError,
  readDataset,
  SchemaError,
  ValidationError,
  writeDataset,
} from "../mod.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { countingStorage, PARTITION_BY, taskRows, tasks, withBadRowAt } from "./helpers/tasks.ts";

Deno.test("bad keys are refused before anything is written", async () => {
  const dir = await tempDir();
  const table = defineTable("odd", { id: int(), doc: jsonb() });
  await assert.rejects(
    writeDataset(dir, [{ id: 1, doc: {} }], { table, partitionBy: ["nope"] }),
    (error: unknown) => error instanceof SchemaError && error.column === "nope" && error.table === "odd",
  );
  await assert.rejects(
    writeDataset(dir, [{ id: 1, doc: {} }], { table, partitionBy: ["doc"] }),
    /Cannot partition by a jsonb column: .* \(table odd, column doc\)/,
  );
  await assert.rejects(
    writeDataset(dir, [], { table, partitionBy: ["id"], maxOpenPartitions: 0 }),
    (error: unknown) =>
      error instanceof ParquetStorageError && /maxOpenPartitions must be a positive/.test(error.message),
  );
  await assert.rejects(
    writeDataset(dir, [], { table, partitionBy: ["id"], codec: "LZ0" as "SNAPPY" }),
    /LZ0/,
  );
  assert.deepEqual(await allFiles(dir), []);
  assert.deepEqual((await writeDataset(dir, [], { table, partitionBy: ["id"] })).files, []);
});

Deno.test("a bad row midway leaves nothing half-written: open files are aborted", async () => {
  const dir = await tempDir();
  await assert.rejects(
    writeDataset(dir, withBadRowAt(700, taskRows(1000)), {
      table: tasks,
      partitionBy: PARTITION_BY,
      rowGroupSize: 20,
      maxOpenPartitions: 100,
    }),
    (error: unknown) => error instanceof ValidationError && error.row === 701 && error.column === "amount",
  );
  assert.deepEqual(await allFiles(dir), [], "no file, no temporary file");
  assert.deepEqual(await readDataset(dir), []);
});

Deno.test("after a bad row, only files finished before it remain, each complete", async () => {
  const dir = await tempDir();
  const { storage, stats } = countingStorage();
  await assert.rejects(
    writeDataset(dir, withBadRowAt(700, taskRows(1000)), {
      table: tasks,
      partitionBy: ["project_id"],
      maxRowsPerFile: 100,
      storage,
    }),
    ValidationError,
  );
  const files = await allFiles(dir);
  assert.ok(
    files.length > 0 && files.every((path) => /^project_id=\d\/tasks_[^/]+\.parquet$/.test(path)),
    String(files),
  );
  assert.equal(stats.open, 0, "every sink was closed or aborted");
  assert.equal(files.length, 5, "the five partitions' first 100-row files were finished");
  assert.equal((await readDataset(dir)).length, 500);
});

Deno.test("an aborted write leaves nothing", async () => {
  const dir = await tempDir();
  const controller = new AbortController();
  async function* slow() {
    for (const [i, row] of taskRows(1000).entries()) {
      if (i === 300) controller.abort(new Error("stop"));
      yield row;
      await Promise.resolve();
    }
  }
  await assert.rejects(
    writeDataset(dir, slow(), {
      table: tasks,
      partitionBy: PARTITION_BY,
      maxOpenPartitions: 100,
      signal: controller.signal,
    }),
    /stop/,
  );
  assert.deepEqual(await allFiles(dir), []);
});

Deno.test("readDataset refuses unknown columns and values that do not fit, and reads foreign folders", async () => {
  const dir = await tempDir();
  await writeDataset(dir, taskRows(50), { table: tasks, partitionBy: ["project_id"] });
  await assert.rejects(
    readDataset(dir, { filters: { projectid: 1 } }),
    /Unknown column in filter: "projectid"/,
  );
  await assert.rejects(readDataset(dir, { filters: { project_id: "x" } }), /does not fit the column/);
  await assert.rejects(readDataset(dir, { columns: ["nope"] }), /Unknown column "nope"/);
  await Deno.mkdir(`${dir}/project_id=oops`);
  const [first] = await allFiles(dir);
  await Deno.copyFile(`${dir}/${first}`, `${dir}/project_id=oops/x.parquet`);
  await assert.rejects(readDataset(dir), /Cannot read the partition value "oops" as int/);

  // A dataset DuckDB wrote: partition values read as text, filters prune on them.
  const foreign = await tempDir();
  await duckdbRows(`COPY (SELECT i AS id, 'k' || (i % 3) AS kind FROM range(30) t(i))
    TO ${sqlString(foreign)} (FORMAT PARQUET, PARTITION_BY (kind))`);
  const read: string[] = [];
  const back = await readDataset(foreign, {
    filters: { kind: "k1" },
    onFile: (f) => f.skipped || read.push(f.location),
  });
  assert.equal(back.length, 10);
  assert.ok(back.every((r) => r.kind === "k1"));
  assert.equal(read.length, 1);
});

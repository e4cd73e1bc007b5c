/**
 * Partitioned datasets, written and read back: through readDataset and DuckDB, from PostgreSQL, with tricky
 * values, more partitions than the cap, several files per partition, a second write, and on S3.
 */

import assert from "node:assert/strict";
import { relative } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import {
  defineTable,
  int,
  numeric,
  readDataset,
  readParquet,
  text,
  timestamptz,
  ValidationError,
  writeDataset,
} from "../mod.ts";
import { tableRows } from "../src/postgres/table_source.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";
import { testBucket } from "./helpers/s3_server.ts";
import {
  countingStorage,
  duckdbTasks,
  expectedInDuckdb,
  PARTITION_BY,
  taskRows,
  tasks,
  withBadRowAt,
} from "./helpers/tasks.ts";

Deno.test("a partitioned write reads back the same rows through readDataset and DuckDB", async () => {
  const dir = await tempDir();
  const rows = taskRows(2000);
  const result = await writeDataset(dir, rows, {
    table: tasks,
    partitionBy: PARTITION_BY,
    checksum: true,
    maxOpenPartitions: 100,
  });
  assert.equal(result.rows, 2000);
  assert.equal(result.files.reduce((sum, f) => sum + f.rows, 0), 2000);
  assert.ok(result.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256!)));
  const folders = new Set(result.files.map((f) => f.partition));
  assert.equal(folders.size, result.files.length, "one file per partition when the cap is not reached");
  assert.equal(folders.size, 5 * 5 * 3);
  assert.ok(folders.has("project_id=1/status=a%2Fb%3Dc/created_at_month=2026-10"));
  assert.ok(folders.has("project_id=2/status=__HIVE_DEFAULT_PARTITION__/created_at_month=2026-12"));
  for (const file of result.files) {
    assert.match(file.location, /\/tasks_\d{8}_\d{6}_[0-9a-f]{8}\.parquet$/);
    assert.ok(file.location.startsWith(`${dir}/${file.partition}/`));
  }

  const back = await readDataset(dir);
  assert.deepEqual(back.sort((a, b) => (a.id as number) - (b.id as number)), rows);
  assert.deepEqual(await duckdbTasks(dir), rows.map(expectedInDuckdb));

  // The files leave the partition columns out, as the engines expect; the time key's source stays.
  const inFile = await readParquet(result.files[0].location);
  assert.deepEqual(Object.keys(inFile[0]), ["id", "created_at", "amount", "note"]);
});

Deno.test("a PostgreSQL table exported as a partitioned dataset reads in DuckDB as PostgreSQL has it", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "dataset");
  try {
    await sql.unsafe(`
      CREATE TABLE "${schema.name}".pg_tasks (id int PRIMARY KEY, project_id int NOT NULL, status text,
        created_at timestamptz NOT NULL, amount numeric(10,2) NOT NULL);
      INSERT INTO "${schema.name}".pg_tasks
      SELECT i, 1 + i % 4, (ARRAY['open', 'a/b=c', '50% done', '', NULL, 'Zürich 🦆'])[1 + i % 6],
        timestamptz '2026-10-01 00:00:00.000001+00' + i * interval '37 minutes 0.000123 seconds',
        (i * 1.25)::numeric(10,2)
      FROM generate_series(1, 5000) i`);
    const table = defineTable("pg_tasks", {
      id: int(),
      project_id: int(),
      status: text().nullable(),
      created_at: timestamptz(),
      amount: numeric(10, 2),
    }, { primaryKey: ["id"], pgSchema: schema.name });
    const dir = await tempDir();
    const partitionBy = ["project_id", "status", "created_at:month"];
    const { rows } = await writeDataset(dir, tableRows(sql, table), { table, partitionBy });
    assert.equal(rows, 5000);
    const expected = await sql.unsafe(`
      SELECT id, project_id, status, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us,
        amount::text AS amount, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS created_at_month
      FROM "${schema.name}".pg_tasks ORDER BY id`);
    const duck = await duckdbRows(`
      SELECT id, project_id::INTEGER AS project_id, status, epoch_us(created_at)::VARCHAR AS created_us,
        amount::VARCHAR AS amount, created_at_month
      FROM read_parquet(${sqlString(`${dir}/**/*.parquet`)}, hive_partitioning = true,
        hive_types_autocast = false) ORDER BY id`);
    assert.deepEqual(duck, expected.map((row) => ({ ...row })));
    const back = await readDataset(dir, { filters: { status: "", project_id: { $in: [2, 3] } } });
    assert.deepEqual(
      back.map((r) => r.id).sort((a, b) => (a as number) - (b as number)),
      expected.filter((r) => r.status === "" && [2, 3].includes(r.project_id)).map((r) => r.id),
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

const TRICKY = [
  "a/b",
  "a=b",
  "50%",
  "%2F",
  "x y",
  "Zürich 🦆 日本",
  "",
  null,
  ".",
  "..",
  "../up",
  ".hidden",
  "NULL",
  "null",
  "__HIVE_DEFAULT_PARTITION__",
  '#?&:*"<>|\\',
  "+plus+",
  "tab\tnew\nline",
  "~'q'!()$@,;[]{}^`",
];
const tagged = defineTable("tagged", { id: int(), tag: text().nullable() });

Deno.test("tricky partition values round-trip through readDataset and DuckDB", async () => {
  const dir = await tempDir();
  const rows = TRICKY.map((tag, id) => ({ id, tag }));
  const { files } = await writeDataset(dir, rows, { table: tagged, partitionBy: ["tag"] });
  assert.equal(files.length, TRICKY.length, "every value has a folder of its own");
  assert.deepEqual(
    (await allFiles(dir)).map((path) => path.split("/")[0]).sort(),
    files.map((f) => f.partition).sort(),
    "every file sits one folder below the root: no value escaped its segment",
  );
  const back = await readDataset(dir);
  assert.deepEqual(back.sort((a, b) => (a.id as number) - (b.id as number)), rows);
  for (const tag of TRICKY) {
    assert.deepEqual((await readDataset(dir, { filters: { tag } })).map((r) => r.tag), [tag], String(tag));
  }
  const duck = await duckdbRows(`
    SELECT id, tag FROM read_parquet(${sqlString(`${dir}/**/*.parquet`)}, hive_partitioning = true,
      hive_types_autocast = false) ORDER BY id`);
  assert.deepEqual(duck.map((r) => ({ id: Number(r.id), tag: r.tag })), rows);
});

Deno.test("more partitions than the cap: every row once, never more sinks open than the cap", async () => {
  const dir = await tempDir();
  const table = defineTable("spread", { id: int(), bucket: int() });
  // Runs of 4 rows cycle over 200 partitions: the least recently used one is always the next needed,
  // and 50 partitions come back after being closed.
  const rows = Array.from({ length: 1000 }, (_, id) => ({ id, bucket: (Math.floor(id / 4) * 37) % 200 }));
  const { storage, stats } = countingStorage();
  const result = await writeDataset(dir, rows, {
    table,
    partitionBy: ["bucket"],
    maxOpenPartitions: 8,
    storage,
  });
  assert.ok(stats.maxOpen <= 8 && stats.maxOpen === 8, `at most ${stats.maxOpen} sinks open`);
  assert.equal(stats.open, 0);
  assert.equal(result.files.length, stats.sinks);
  assert.equal(result.files.length, 250, "a partition that comes back gets a new file");
  assert.equal(new Set(result.files.map((f) => f.partition)).size, 200);
  const back = await readDataset(dir);
  assert.deepEqual(
    back.map((r) => r.id).sort((a, b) => (a as number) - (b as number)),
    rows.map((r) => r.id),
  );
  assert.deepEqual(back.find((r) => r.id === 999), { id: 999, bucket: (249 * 37) % 200 });
  const [{ n, distinct }] = await duckdbRows(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS distinct FROM read_parquet(${
      sqlString(`${dir}/**/*.parquet`)
    }, hive_partitioning = true) WHERE bucket = (id // 4 * 37) % 200`,
  );
  assert.deepEqual([n, distinct], [1000, 1000]);
});

Deno.test("maxRowsPerFile splits a partition into several complete files", async () => {
  const dir = await tempDir();
  const rows = taskRows(250).map((r) => ({ ...r, project_id: 1 + (r.id as number) % 2 }));
  const { files } = await writeDataset(dir, rows, {
    table: tasks,
    partitionBy: ["project_id"],
    maxRowsPerFile: 40,
  });
  assert.deepEqual(files.map((f) => f.rows).sort((a, b) => a - b), [5, 5, 40, 40, 40, 40, 40, 40]);
  assert.equal((await readDataset(dir)).length, 250);
});

Deno.test("a second write adds files beside the first; nothing is replaced", async () => {
  const dir = await tempDir();
  const first = await writeDataset(dir, taskRows(100), { table: tasks, partitionBy: ["project_id"] });
  const before = await allFiles(dir);
  const second = await writeDataset(dir, taskRows(100), { table: tasks, partitionBy: ["project_id"] });
  const after = await allFiles(dir);
  assert.equal(after.length, before.length * 2);
  assert.ok(before.every((path) => after.includes(path)));
  assert.ok(second.files.every((f) => !first.files.some((g) => g.location === f.location)));
  assert.equal((await readDataset(dir)).length, 200);
  // However the root is written.
  assert.equal((await readDataset(`${dir}/`)).length, 200);
  assert.equal((await readDataset(`./${relative(Deno.cwd(), dir)}/.`)).length, 200);
});

Deno.test("the same partitioned write and filtered read on an S3 prefix", async () => {
  await using bucket = await testBucket("dataset");
  const s3 = bucket.options;
  const root = bucket.url("lake/tasks");
  const rows = taskRows(600);
  const { files } = await writeDataset(root, rows, {
    table: tasks,
    partitionBy: PARTITION_BY,
    s3,
    rowGroupSize: 25,
    maxOpenPartitions: 75,
  });
  assert.equal(files.length, 75);
  const listed = await bucket.client.send(
    new ListObjectsV2Command({ Bucket: bucket.name, Prefix: "lake/tasks/" }),
  );
  assert.deepEqual(
    (listed.Contents ?? []).map((o) => `s3://${bucket.name}/${o.Key}`).sort(),
    files.map((f) => f.location),
  );
  assert.ok(files.some((f) => f.location.includes("/status=a%2Fb%3Dc/")));
  const back = await readDataset(root, { s3 });
  assert.deepEqual(back.sort((a, b) => (a.id as number) - (b.id as number)), rows);

  const read: string[] = [];
  const groups = { read: 0, skipped: 0 };
  const filtered = await readDataset(root, {
    s3,
    filters: { status: "on hold", id: { $gte: 100, $lt: 110 } },
    table: tasks,
    partitionBy: PARTITION_BY,
    onFile: (f) => f.skipped || read.push(f.location),
    onRowGroup: ({ skipped }) => groups[skipped ? "skipped" : "read"]++,
  });
  assert.deepEqual(
    filtered.map((r) => r.id).sort(),
    rows.filter((r) => r.status === "on hold" && (r.id as number) >= 100 && (r.id as number) < 110).map((r) =>
      r.id
    ).sort(),
  );
  assert.deepEqual(read, files.filter((f) => f.values.status === "on hold").map((f) => f.location));
  assert.ok(groups.skipped > 0, JSON.stringify(groups));

  await assert.rejects(
    writeDataset(bucket.url("lake/bad"), withBadRowAt(400, rows), {
      table: tasks,
      partitionBy: PARTITION_BY,
      maxOpenPartitions: 100,
      s3,
    }),
    ValidationError,
  );
  const bad = await bucket.client.send(
    new ListObjectsV2Command({ Bucket: bucket.name, Prefix: "lake/bad/" }),
  );
  assert.equal(bad.KeyCount, 0);
  assert.deepEqual(await bucket.openUploads(), []);
});

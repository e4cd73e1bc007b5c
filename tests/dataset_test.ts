import assert from "node:assert/strict";
import { relative } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import {
  defineTable,
  int,
  jsonb,
  numeric,
  ParquetStorageError,
  readDataset,
  readParquet,
  type Row,
  SchemaError,
  text,
  timestamptz,
  ValidationError,
  writeDataset,
} from "../mod.ts";
import type { FileSink, Storage } from "../write.ts";
import { tableRows } from "../src/postgres/table_source.ts";
import { partitionPruner } from "../src/read/partition_filter.ts";
import { parsePartitionBy } from "../src/schema/partition_key.ts";
import { LocalStorage } from "../src/storage/local_storage.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";
import { testBucket } from "./helpers/s3_server.ts";

const tasks = defineTable("tasks", {
  id: int(),
  project_id: int(),
  status: text().nullable(),
  created_at: timestamptz(),
  amount: numeric(10, 2),
  note: text(),
}, { primaryKey: ["id"] });

const STATUSES = ["open", "done", "on hold", "a/b=c", null];

/** Rows in canonical form, sorted by id; created_at rises with id over three months of 2026. */
function taskRows(count: number): Row[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    project_id: 1 + (id * 7) % 5,
    status: STATUSES[Math.floor(id / 7) % STATUSES.length],
    created_at: new Date(Date.UTC(2026, 9, 1) + id * Math.floor(92 * 86_400_000 / count)).toISOString()
      .replace("Z", `${String(id % 1000).padStart(3, "0")}Z`),
    amount: `${id}.${String(id % 100).padStart(2, "0")}`,
    note: `note ${id} 🦆`,
  }));
}

const PARTITION_BY = ["project_id", "status", "created_at:month"];

/** The rows DuckDB reads from a dataset folder, every value as text (epoch microseconds for timestamps). */
async function duckdbTasks(dir: string): Promise<Row[]> {
  const rows = await duckdbRows(`
    SELECT id, project_id, status, epoch_us(created_at)::VARCHAR AS created_us, amount::VARCHAR AS amount,
      note, created_at_month
    FROM read_parquet(${
    sqlString(`${dir}/**/*.parquet`)
  }, hive_partitioning = true, hive_types_autocast = false)
    ORDER BY id::INTEGER`);
  return rows.map((row) => ({ ...row, id: Number(row.id), project_id: Number(row.project_id) }));
}

function expectedInDuckdb(row: Row): Row {
  const at = row.created_at as string;
  return {
    id: row.id,
    project_id: row.project_id,
    status: row.status,
    created_us: String(BigInt(Date.parse(at)) * 1000n + BigInt(at.slice(23, 26))),
    amount: row.amount,
    note: row.note,
    created_at_month: at.slice(0, 7),
  };
}

/** Local storage that counts files opened for reading and sinks open at once. */
function countingStorage() {
  const inner = new LocalStorage();
  const stats = { opened: [] as string[], sinks: 0, open: 0, maxOpen: 0 };
  const storage: Storage = {
    createSink(location, options): FileSink {
      const sink = inner.createSink(location, options);
      const writer = sink.getWriter();
      stats.sinks++;
      stats.maxOpen = Math.max(stats.maxOpen, ++stats.open);
      let ended = false;
      const end = () => {
        if (!ended) stats.open--;
        ended = true;
      };
      const wrapped = new WritableStream<Uint8Array>({
        write: (chunk) => writer.write(chunk),
        close: () => writer.close().finally(end),
        abort: (reason) => writer.abort(reason).finally(end),
      });
      return Object.defineProperties(wrapped, {
        location: { get: () => sink.location },
        bytesWritten: { get: () => sink.bytesWritten },
      }) as FileSink;
    },
    open(location) {
      stats.opened.push(location);
      return inner.open(location);
    },
    list: (location) => inner.list(location),
    remove: (location) => inner.remove(location),
    join: (...parts) => inner.join(...parts),
  };
  return { storage, stats };
}

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

Deno.test("a filter on partition columns opens only the matching files", async () => {
  const dir = await tempDir();
  const rows = taskRows(1000);
  const { files } = await writeDataset(dir, rows, {
    table: tasks,
    partitionBy: PARTITION_BY,
    maxOpenPartitions: 75,
  });
  // $ne does not match NULL, as in SQL: the NULL partition is pruned too.
  const matching = files.filter((f) =>
    f.values.project_id === "3" && f.values.status !== "done" && f.values.status !== null
  );
  const filters = { project_id: 3, status: { $ne: "done" } };
  const expected = rows.filter((r) => r.project_id === 3 && r.status !== "done" && r.status !== null);

  // With the table and keys given, nothing else is opened at all.
  const { storage, stats } = countingStorage();
  const seen: { location: string; skipped: boolean }[] = [];
  const back = await readDataset(dir, {
    filters,
    table: tasks,
    partitionBy: PARTITION_BY,
    storage,
    onFile: (info) => void seen.push(info),
  });
  assert.deepEqual(
    back.map((r) => r.id).sort((a, b) => (a as number) - (b as number)),
    expected.map((r) => r.id),
  );
  assert.equal(seen.length, files.length);
  assert.deepEqual(stats.opened.sort(), matching.map((f) => f.location).sort());
  assert.deepEqual(seen.filter((s) => !s.skipped).map((s) => s.location).sort(), stats.opened);

  // Learning the table from the files costs at most one more footer.
  const probing = countingStorage();
  const again = await readDataset(dir, { filters, storage: probing.storage });
  assert.equal(again.length, expected.length);
  assert.ok(
    probing.stats.opened.length <= matching.length + 1,
    `${probing.stats.opened.length} files opened`,
  );

  // Files read but holding no matching row give nothing (and do not stall the stream).
  assert.deepEqual(await readDataset(dir, { filters: { project_id: 3, note: "no such note" } }), []);

  // An $or mixing a partition column and a file column prunes only what it can.
  const mixed = await readDataset(dir, { filters: { $or: [{ project_id: 3 }, { id: { $lt: 5 } }] } });
  assert.equal(mixed.length, rows.filter((r) => r.project_id === 3 || (r.id as number) < 5).length);
});

Deno.test("a time key prunes by its source column, and a range on a sorted column skips row groups", async () => {
  const dir = await tempDir();
  const rows = taskRows(3000);
  const { files } = await writeDataset(dir, rows, {
    table: tasks,
    partitionBy: ["created_at:month"],
    rowGroupSize: 50,
  });
  assert.deepEqual(files.map((f) => f.partition), [
    "created_at_month=2026-10",
    "created_at_month=2026-11",
    "created_at_month=2026-12",
  ]);
  const read: string[] = [];
  const groups = { read: 0, skipped: 0 };
  const from = "2026-11-10T00:00:00Z";
  const until = "2026-11-12T00:00:00Z";
  const back = await readDataset(dir, {
    filters: { created_at: { $gte: from, $lt: until } },
    onFile: ({ location, skipped }) => skipped || read.push(location),
    onRowGroup: ({ skipped }) => groups[skipped ? "skipped" : "read"]++,
  });
  const expected = rows.filter((r) => (r.created_at as string) >= from && (r.created_at as string) < until);
  assert.ok(expected.length > 0);
  assert.deepEqual(back.map((r) => r.id), expected.map((r) => r.id));
  assert.deepEqual(read, [files[1].location], "only November is opened");
  assert.equal(groups.read + groups.skipped, Math.ceil(files[1].rows / 50));
  assert.ok(groups.read <= 3 && groups.skipped >= 15, JSON.stringify(groups));
  // A $lt at a period's first instant does not open that period.
  const opened: string[] = [];
  const october = await readDataset(dir, {
    filters: { created_at: { $lt: "2026-11-01" } },
    onFile: ({ location, skipped }) => skipped || opened.push(location),
  });
  assert.equal(october.length, files[0].rows);
  assert.deepEqual(opened, [files[0].location], "November is not opened");
  // The derived key is a filter too, and can be asked for as a column.
  const december = await readDataset(dir, {
    filters: { created_at_month: "2026-12" },
    columns: ["id", "created_at_month"],
  });
  assert.equal(december.length, files[2].rows);
  assert.deepEqual(december[0], { id: december[0].id, created_at_month: "2026-12" });
});

Deno.test("pruning is exact on partition columns and conservative on time keys' sources", () => {
  const keys = parsePartitionBy(tasks, ["project_id", "status", "created_at:month"]);
  const verdict = (filter: Record<string, unknown>, partition: Row) =>
    partitionPruner(filter, tasks, keys)(partition);
  const nov = { project_id: 3, status: "open", created_at_month: "2026-11" };
  const nullStatus = { ...nov, status: null };
  assert.equal(verdict({ project_id: 3 }, nov), true);
  assert.equal(verdict({ project_id: { $gt: 3 } }, nov), false);
  assert.equal(verdict({ project_id: { $in: [1, 3] }, status: { $nin: ["done"] } }, nov), true);
  assert.equal(verdict({ status: { $ne: "done" } }, nullStatus), false, "NULL matches no comparison");
  assert.equal(verdict({ status: null }, nullStatus), true);
  assert.equal(verdict({ status: { $in: [null] } }, nov), false);
  assert.equal(verdict({ $or: [{ project_id: 1 }, { status: "open" }] }, nov), true);
  assert.equal(verdict({ $or: [{ project_id: 1 }, { status: "done" }] }, nov), false);
  assert.deepEqual(verdict({ $or: [{ project_id: 1 }, { id: 5 }] }, nov), { id: { $eq: 5 } });
  assert.deepEqual(verdict({ project_id: 3, amount: { $gt: 2 } }, nov), { amount: { $gt: "2.00" } });
  // Time keys: a period is ruled out only when none of its instants can match.
  const at = (filter: unknown) => verdict({ created_at: filter }, nov);
  assert.equal(at({ $gte: "2026-12-01T00:00:00Z" }), false);
  assert.equal(at({ $lt: "2026-11-01 00:00:00+00" }), false, "the period's first instant is not below it");
  assert.equal(at({ $lt: "2026-11-01" }), false);
  assert.notEqual(at({ $lt: "2026-11-01T00:00:00.000001Z" }), false);
  assert.notEqual(at({ $lt: "2026-11-02T00:00:00Z" }), false);
  assert.notEqual(at({ $lte: "2026-11-01T00:00:00Z" }), false, "$lte keeps the boundary's period");
  assert.equal(at({ $lt: "2026-10-31T23:59:59Z" }), false);
  assert.equal(at({ $lte: "2026-11-01 01:00:00+02" }), false, "in UTC that is 2026-10-31T23:00Z, October");
  assert.equal(at({ $lte: "2026-11-01 03:00:00+02" }) !== false, true);
  assert.equal(at("2026-12-01T00:00:00Z"), false);
  assert.equal(at({ $in: ["2026-10-05T00:00:00Z", "2026-12-05T00:00:00Z"] }), false);
  assert.notEqual(at({ $in: ["2026-11-05T00:00:00Z"] }), false);
  assert.equal(verdict({ created_at_month: { $gte: "2026-12" } }, nov), false);
  assert.throws(() => verdict({ project: 1 }, nov), /Unknown column in filter: "project"/);
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

async function* withBadRowAt(position: number, rows: Row[]) {
  for (const [i, row] of rows.entries()) {
    if (i === position) yield { ...row, amount: "not a number" };
    else yield row;
    await Promise.resolve();
  }
}

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

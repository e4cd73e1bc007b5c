import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { pathToFileURL } from "node:url";
import { icebergDataFiles, icebergSnapshots, readIcebergTable } from "../iceberg.ts";
import { IcebergMetadataMissingError, IcebergSchemaError } from "../iceberg.ts";
import { vacuum } from "../batch.ts";
import { exportTables } from "../postgres.ts";
import { defineTable, int, ReadError, timestamptz, writeParquet } from "../mod.ts";
import { IcebergCommitConflictError } from "../iceberg.ts";
import { LocalStorage } from "../local.ts";
import { readAvroFile } from "../src/export/iceberg/avro_file.ts";
import { commitSnapshot, planTable } from "../src/export/iceberg/commit_snapshot.ts";
import { runCli } from "./helpers/cli.ts";
import { DATABASE_URL } from "./helpers/pg.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, ensurePostgis, testSchema } from "./helpers/pg.ts";

/** Rows as sorted `id:…` lines of the named columns, whatever reader made them. */
function lines(rows: Record<string, unknown>[], columns: string[]): string[] {
  return rows.map((row) => columns.map((c) => `${c}=${row[c] ?? null}`).join(" ")).sort();
}

Deno.test("iceberg: a full export then an incremental one, read by icebird at both snapshots as DuckDB reads the listed files", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg");
  const events = `"${schema.name}".events`;
  try {
    await sql.unsafe(`CREATE TABLE ${events} (id int PRIMARY KEY, site int NOT NULL, at timestamptz NOT NULL,
                      note text, updated_at timestamptz NOT NULL)`);
    await sql.unsafe(`CREATE TABLE "${schema.name}".plain (id bigint PRIMARY KEY, name text)`);
    await sql.unsafe(
      `INSERT INTO ${events} SELECT g, g % 3, '2026-01-15 10:00+00'::timestamptz + g * interval '9 days',
                      'n' || g, '2026-01-01 00:00+00' FROM generate_series(1, 60) g`,
    );
    await sql.unsafe(`INSERT INTO "${schema.name}".plain SELECT g, 'p' || g FROM generate_series(1, 25) g`);
    const out = await tempDir();
    const options = {
      out,
      schema: schema.name,
      format: "iceberg" as const,
      partitionBy: ["site", "at:month"],
      incremental: true,
    };
    const first = await exportTables(sql, options);
    assert.deepEqual(first.iceberg?.map((c) => [c.table, c.operation, c.version]), [
      ["events", "overwrite", 1],
      ["plain", "overwrite", 1],
    ]);
    await sql.unsafe(`INSERT INTO ${events} SELECT g, g % 3, '2026-03-01 00:00+00', 'late' || g,
                      '2026-02-01 00:00+00' FROM generate_series(61, 70) g`);
    const second = await exportTables(sql, options);
    assert.deepEqual(second.iceberg?.map((c) => [c.table, c.operation, c.version]), [
      ["events", "append", 2],
      ["plain", "overwrite", 2],
    ]);
    const table = `${out}/events`;
    const snapshots = await icebergSnapshots(table);
    assert.deepEqual(snapshots.map((s) => s.summary.operation), ["overwrite", "append"]);
    assert.equal(snapshots[1]["parent-snapshot-id"], snapshots[0]["snapshot-id"]);
    const columns = ["id", "site", "note"];
    for (const [index, snapshot] of snapshots.entries()) {
      const files = await icebergDataFiles(table, { snapshotId: snapshot["snapshot-id"] });
      const list = files.map((f) => sqlString(f.location)).join(", ");
      const duck = await duckdbRows(`SELECT id, site, note FROM read_parquet([${list}])`);
      const bird = await icebergRead({
        tableUrl: pathToFileURL(table).href,
        metadataFileName: `v${index + 1}.metadata.json`,
      });
      const ours = await readIcebergTable(table, { snapshotId: snapshot["snapshot-id"] });
      assert.equal(duck.length, index === 0 ? 60 : 70);
      assert.deepEqual(lines(bird, columns), lines(duck, columns));
      assert.deepEqual(lines(ours, columns), lines(duck, columns));
    }
    // The current snapshot by default, for icebird (through version-hint.text) and for us.
    const current = await icebergRead({ tableUrl: pathToFileURL(table).href });
    assert.equal(current.length, 70);
    assert.equal((await readIcebergTable(table)).length, 70);
    assert.equal((await readIcebergTable(`${out}/plain`)).length, 25);
    // The second full export of plain is an overwrite that records the file it replaced as deleted.
    const [, replaced] = await icebergSnapshots(`${out}/plain`);
    assert.equal(replaced.summary["deleted-data-files"], "1");
    assert.equal(replaced.summary["deleted-records"], "25");
    assert.equal(replaced.summary["total-records"], "25");
    const replacedList = readAvroFile(await Deno.readFile(new URL(replaced["manifest-list"])));
    assert.deepEqual(replacedList.records.map((r) => [r.added_files_count, r.deleted_files_count]), [[1, 0], [
      0,
      1,
    ]]);
    const deleted = readAvroFile(
      await Deno.readFile(new URL(replacedList.records[1].manifest_path as string)),
    );
    assert.deepEqual(
      deleted.records.map((r) => [r.status, r.snapshot_id, r.sequence_number, r.file_sequence_number]),
      [
        [2, replaced["snapshot-id"], 1, 1],
      ],
    );
    for (const version of [1, 2]) {
      const plain = await icebergRead({
        tableUrl: pathToFileURL(`${out}/plain`).href,
        metadataFileName: `v${version}.metadata.json`,
      });
      assert.equal(plain.length, 25);
    }
    // Pruning: the late rows' manifest (March only) is skipped by its partition summary, then the
    // other manifest's files by their month, then row groups by statistics.
    const manifests: boolean[] = [];
    let filesRead = 0;
    const june = await readIcebergTable(table, {
      filters: { at: { $gte: "2026-06-01T00:00:00.000000Z" }, site: 1 },
      onManifest: ({ skipped }) => manifests.push(skipped),
      onFile: ({ skipped }) => filesRead += skipped ? 0 : 1,
    });
    assert.deepEqual(manifests.sort(), [false, true]);
    const expected = await sql.unsafe(
      `SELECT id FROM ${events} WHERE at >= '2026-06-01 00:00+00' AND site = 1 ORDER BY id`,
    );
    assert.deepEqual(june.map((r) => r.id).sort((a, b) => Number(a) - Number(b)), expected.map((r) => r.id));
    assert.ok(filesRead < (await icebergDataFiles(table)).length, `${filesRead} files read`);
    // vacuum, which removes files no batch manifest names, leaves Iceberg tables alone.
    assert.deepEqual(await vacuum(out, { graceMs: 0 }), []);
    assert.equal((await readIcebergTable(table)).length, 70);
    const bySite = await readIcebergTable(table, { filters: { site: 2 }, onManifest: () => {} });
    assert.ok(bySite.every((r) => r.site === 2) && bySite.length > 0);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

/** The field ids of an Avro schema, by dotted field name (and `…[]` for array elements). */
function avroFieldIds(schema: Record<string, unknown>, prefix = ""): Record<string, number> {
  const ids: Record<string, number> = {};
  for (const field of schema.fields as Record<string, unknown>[]) {
    const name = `${prefix}${field.name}`;
    ids[name] = field["field-id"] as number;
    let type = field.type as unknown;
    if (Array.isArray(type)) type = type.find((t) => t !== "null");
    if (typeof type === "object" && type !== null) {
      const t = type as Record<string, unknown>;
      if (t.type === "record") Object.assign(ids, avroFieldIds(t, `${name}.`));
      if (t.type === "array") {
        ids[`${name}[]`] = t["element-id"] as number;
        Object.assign(ids, avroFieldIds(t.items as Record<string, unknown>, `${name}[].`));
      }
    }
  }
  return ids;
}

// The field ids of the Iceberg spec's manifest schemas (format version 2: "Manifests" and "Manifest
// Lists"), for the fields a writer of data manifests sets.
const SPEC_MANIFEST_ENTRY: Record<string, number> = {
  status: 0,
  snapshot_id: 1,
  sequence_number: 3,
  file_sequence_number: 4,
  data_file: 2,
  "data_file.content": 134,
  "data_file.file_path": 100,
  "data_file.file_format": 101,
  "data_file.partition": 102,
  "data_file.record_count": 103,
  "data_file.file_size_in_bytes": 104,
};
const SPEC_MANIFEST_FILE: Record<string, number> = {
  manifest_path: 500,
  manifest_length: 501,
  partition_spec_id: 502,
  content: 517,
  sequence_number: 515,
  min_sequence_number: 516,
  added_snapshot_id: 503,
  added_files_count: 504,
  existing_files_count: 505,
  deleted_files_count: 506,
  added_rows_count: 512,
  existing_rows_count: 513,
  deleted_rows_count: 514,
  partitions: 507,
  "partitions[]": 508,
  "partitions[].contains_null": 509,
  "partitions[].contains_nan": 518,
  "partitions[].lower_bound": 510,
  "partitions[].upper_bound": 511,
};

Deno.test("iceberg: manifests and manifest lists carry the spec's field ids, metadata keys and partition field ids", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_avro");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".r (id int PRIMARY KEY, site int, day date NOT NULL)`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".r SELECT g, g % 2, DATE '2026-01-01' + g FROM generate_series(1, 40) g`,
    );
    const out = await tempDir();
    await exportTables(sql, {
      out,
      schema: schema.name,
      format: "iceberg",
      partitionBy: ["site", "day:year"],
    });
    const metadata = JSON.parse(await Deno.readTextFile(`${out}/r/metadata/v1.metadata.json`));
    const list = readAvroFile(await Deno.readFile(new URL(metadata.snapshots[0]["manifest-list"])));
    assert.deepEqual(avroFieldIds(list.schema), SPEC_MANIFEST_FILE);
    assert.equal(list.metadata["format-version"], "2");
    assert.equal(list.metadata["snapshot-id"], String(metadata.snapshots[0]["snapshot-id"]));
    const manifest = readAvroFile(await Deno.readFile(new URL(list.records[0].manifest_path as string)));
    const ids = avroFieldIds(manifest.schema);
    const partition = Object.entries(ids).filter(([name]) => name.startsWith("data_file.partition."));
    for (const name of Object.keys(ids)) {
      if (!name.startsWith("data_file.partition.")) assert.equal(ids[name], SPEC_MANIFEST_ENTRY[name], name);
    }
    assert.deepEqual(Object.keys(SPEC_MANIFEST_ENTRY).filter((name) => !(name in ids)), []);
    const spec = metadata["partition-specs"][0];
    assert.deepEqual(
      partition,
      spec.fields.map((
        f: { name: string; "field-id": number },
      ) => [`data_file.partition.${f.name}`, f["field-id"]]),
    );
    assert.deepEqual(spec.fields.map((f: { transform: string }) => f.transform), ["identity", "year"]);
    for (const key of ["schema", "partition-spec", "partition-spec-id", "format-version", "content"]) {
      assert.ok(key in manifest.metadata, key);
    }
    assert.equal(manifest.metadata.content, "data");
    assert.deepEqual(JSON.parse(manifest.metadata["partition-spec"]), spec.fields);
    // Each data file's tuple: the site, and the years since 1970 of its day.
    const tuples = manifest.records.map((r) =>
      (r.data_file as { partition: Record<string, unknown> }).partition
    );
    assert.deepEqual(new Set(tuples.map((t) => `${t.site}/${t.day_year}`)), new Set(["0/56", "1/56"]));
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg: four writers racing to commit the same table: every snapshot survives, in order", async () => {
  const location = `${await tempDir()}/raced`;
  const storage = new LocalStorage();
  const table = defineTable("raced", { id: int() });
  const plan = planTable(table, [], undefined);
  const commits = await Promise.all([1, 2, 3, 4].map(async (id) => {
    const written = await writeParquet(location, [{ id }], { table, fieldIds: plan.schema.fieldIds });
    const file = {
      uri: storage.uri(written.location),
      rows: written.rows,
      bytes: written.bytes,
      partition: {},
    };
    return await commitSnapshot(storage, location, table, [], plan, [file], { operation: "append" });
  }));
  assert.ok(commits.some((c) => c.attempts > 1), "no writer had to retry: the race did not happen");
  assert.deepEqual(commits.map((c) => c.version).sort(), [1, 2, 3, 4]);
  const snapshots = await icebergSnapshots(location);
  assert.deepEqual(snapshots.map((s) => s["sequence-number"]), [1, 2, 3, 4]);
  for (let i = 1; i < 4; i++) {
    assert.equal(snapshots[i]["parent-snapshot-id"], snapshots[i - 1]["snapshot-id"]);
  }
  assert.deepEqual(
    new Set(snapshots.map((s) => s["snapshot-id"])),
    new Set(commits.map((c) => c.snapshotId)),
  );
  const bird = await icebergRead({ tableUrl: pathToFileURL(location).href });
  assert.deepEqual(bird.map((r) => r.id).sort(), [1, 2, 3, 4]);
  assert.deepEqual((await readIcebergTable(location)).map((r) => r.id).sort(), [1, 2, 3, 4]);
  // A writer that may not retry loses with a named error, and its snapshot is not in the table.
  const losing = await Promise.allSettled([5, 6].map(async (id) => {
    const written = await writeParquet(location, [{ id }], { table, fieldIds: plan.schema.fieldIds });
    const file = {
      uri: storage.uri(written.location),
      rows: written.rows,
      bytes: written.bytes,
      partition: {},
    };
    return await commitSnapshot(storage, location, table, [], plan, [file], {
      operation: "append",
      maxAttempts: 1,
    });
  }));
  const lost = losing.filter((r) => r.status === "rejected");
  for (const r of lost) {
    assert.ok(r.reason instanceof IcebergCommitConflictError, String(r.reason));
    assert.equal(r.reason.table, "raced");
  }
  assert.equal((await icebergSnapshots(location)).length, 4 + losing.length - lost.length);
});

Deno.test("iceberg: an added nullable column evolves by field id; a type change is refused and commits nothing", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_evolve");
  const t = `"${schema.name}".t`;
  try {
    await sql.unsafe(
      `CREATE TABLE ${t} (id int PRIMARY KEY, site int NOT NULL, updated_at timestamptz NOT NULL)`,
    );
    await sql.unsafe(`INSERT INTO ${t} SELECT g, g % 2, '2026-01-01 00:00+00' FROM generate_series(1, 10) g`);
    const out = await tempDir();
    const options = { out, schema: schema.name, format: "iceberg" as const, incremental: true };
    await exportTables(sql, options);
    await sql.unsafe(`ALTER TABLE ${t} ADD COLUMN note text`);
    await sql.unsafe(
      `INSERT INTO ${t} SELECT g, g % 2, '2026-02-01 00:00+00', 'n' || g FROM generate_series(11, 15) g`,
    );
    const second = await exportTables(sql, options);
    assert.equal(second.iceberg![0].operation, "append");
    const metadata = JSON.parse(await Deno.readTextFile(`${out}/t/metadata/v2.metadata.json`));
    assert.equal(metadata.schemas.length, 2);
    const fields = metadata.schemas[1].fields.map((
      f: { id: number; name: string; required: boolean },
    ) => [f.id, f.name, f.required]);
    assert.deepEqual(fields, [[1, "id", true], [2, "site", true], [3, "updated_at", true], [
      4,
      "note",
      false,
    ]]);
    assert.equal(metadata["last-column-id"], 4);
    // Old files have no note: null through icebird (by the field ids in each file) and through us.
    const bird = await icebergRead({ tableUrl: pathToFileURL(`${out}/t`).href });
    const ours = await readIcebergTable(`${out}/t`);
    const files = (await icebergDataFiles(`${out}/t`)).map((f) => sqlString(f.location)).join(", ");
    const duck = await duckdbRows(
      `SELECT id, site, note FROM read_parquet([${files}], union_by_name = true)`,
    );
    assert.equal(duck.length, 15);
    assert.deepEqual(lines(bird, ["id", "site", "note"]), lines(duck, ["id", "site", "note"]));
    assert.deepEqual(lines(ours, ["id", "site", "note"]), lines(duck, ["id", "site", "note"]));
    // The earlier snapshot keeps its own columns.
    const [first] = await icebergSnapshots(`${out}/t`);
    assert.deepEqual(
      Object.keys((await readIcebergTable(`${out}/t`, { snapshotId: first["snapshot-id"] }))[0]),
      ["id", "site", "updated_at"],
    );

    await sql.unsafe(`ALTER TABLE ${t} ALTER COLUMN site TYPE text`);
    await assert.rejects(exportTables(sql, options), (error: Error) => {
      assert.ok(error instanceof IcebergSchemaError, String(error));
      assert.equal(error.table, "t");
      assert.equal(error.column, "site");
      assert.match(error.message, /it was int, it is now string/);
      return true;
    });
    assert.equal((await icebergSnapshots(`${out}/t`)).length, 2);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg: a missing metadata file, manifest list or table is a named error", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_missing");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".m (id int PRIMARY KEY, updated_at timestamptz NOT NULL)`);
    await sql.unsafe(`INSERT INTO "${schema.name}".m VALUES (1, now())`);
    const out = await tempDir();
    await assert.rejects(readIcebergTable(`${out}/m`), (error: Error) => {
      assert.ok(error instanceof IcebergMetadataMissingError, String(error));
      assert.match(
        error.message,
        /No Iceberg table at .*m: its metadata\/ folder has no v<N>\.metadata\.json/,
      );
      return true;
    });
    const options = { out, schema: schema.name, format: "iceberg" as const, incremental: true };
    await exportTables(sql, options);
    const metadata = JSON.parse(await Deno.readTextFile(`${out}/m/metadata/v1.metadata.json`));
    const list = new URL(metadata.snapshots[0]["manifest-list"]).pathname;
    await Deno.remove(list);
    const parquetFiles = async () =>
      (await allFiles(`${out}/m`)).filter((f) => f.endsWith(".parquet")).length;
    const before = await parquetFiles();
    await sql.unsafe(`INSERT INTO "${schema.name}".m VALUES (2, now() + interval '1 day')`);
    for (const attempt of [readIcebergTable(`${out}/m`), exportTables(sql, options)]) {
      await assert.rejects(attempt, (error: Error) => {
        assert.ok(error instanceof IcebergMetadataMissingError, String(error));
        assert.equal((error as IcebergMetadataMissingError).file, list);
        assert.match(error.message, /manifest list/);
        return true;
      });
    }
    // The failed commit removed the file it had written for m: nothing references it.
    assert.equal(await parquetFiles(), before);
    await Deno.writeTextFile(`${out}/m/metadata/v2.metadata.json`, "{ not json");
    await assert.rejects(readIcebergTable(`${out}/m`), IcebergMetadataMissingError);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg: bad inputs are refused with what was seen", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "iceberg_bad");
  try {
    await sql.unsafe(
      `CREATE TABLE "${schema.name}".b (id int PRIMARY KEY, amount numeric(8,2), at timestamptz)`,
    );
    await sql.unsafe(`INSERT INTO "${schema.name}".b VALUES (1, 2.5, now()), (2, NULL, NULL)`);
    const out = await tempDir();
    const base = { out, schema: schema.name };
    await assert.rejects(
      exportTables(sql, { ...base, format: "orc" as never }),
      /format must be "batch" or "iceberg": current value is "orc"/,
    );
    await assert.rejects(
      exportTables(sql, { ...base, format: "iceberg", partitionBy: ["amount"] }),
      (error: Error) => {
        assert.ok(error instanceof IcebergSchemaError);
        assert.equal(error.column, "amount");
        return true;
      },
    );
    // A NULL in a time key's source goes to the null partition, read back as null.
    await exportTables(sql, { ...base, format: "iceberg", partitionBy: ["at:hour"] });
    const rows = await readIcebergTable(`${out}/b`);
    assert.deepEqual(rows.map((r) => [r.id, r.amount]).sort(), [[1, "2.50"], [2, null]]);
    const bird = await icebergRead({ tableUrl: pathToFileURL(`${out}/b`).href });
    assert.equal(bird.length, 2);
    await assert.rejects(readIcebergTable(`${out}/b`, { snapshotId: 42 }), (error: Error) => {
      assert.ok(error instanceof ReadError);
      assert.match(error.message, /No snapshot 42 in the Iceberg table: it has \d+ \(table b\)/);
      return true;
    });
    await assert.rejects(
      readIcebergTable(`${out}/b`, { filters: { amout: 1 } }),
      /Unknown column in filter: "amout"/,
    );
    await assert.rejects(readIcebergTable(`${out}/b`, { columns: ["nope"] }), /Unknown column "nope"/);
    await assert.rejects(
      readIcebergTable(42 as never),
      /location must be a folder or s3:\/\/ prefix: current value is 42/,
    );
    await assert.rejects(
      readIcebergTable(`${out}/b`, { snapshotId: "1" as never }),
      /snapshotId must be an integer snapshot id \(see icebergSnapshots\): current value is "1"/,
    );
    const env = { DATABASE_URL };
    for (const args of [["--format", "parquet"], ["--format", "iceberg", "--leader"]]) {
      const ran = await runCli("export", ["--schema", schema.name, "--out", out, ...args], { env });
      assert.equal(ran.code, 2, ran.stderr);
      assert.match(
        ran.stderr,
        /--format (must be batch or iceberg: current value is parquet|iceberg runs its jobs in one process)/,
      );
    }
    const ran = await runCli("export", [
      "--schema",
      schema.name,
      "--out",
      `${out}/cli`,
      "--format",
      "iceberg",
    ], { env });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(
      ran.stderr,
      /b: Iceberg snapshot \d+ \(overwrite, sequence 1\) committed as .*v1\.metadata\.json/,
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg: every column kind maps to an Iceberg type that icebird reads, by field id, as we do", async () => {
  const sql = connect();
  await ensurePostgis(sql);
  const schema = await testSchema(sql, "iceberg_kinds");
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(`CREATE TYPE mood AS ENUM ('low', 'high')`);
      await tx.unsafe(`CREATE TABLE k (id bigint PRIMARY KEY, u uuid, amount numeric(12,3), big numeric(30,2),
        free numeric, small smallint, flag boolean, r real, f float8, d date, ts timestamp, tz timestamptz,
        doc jsonb, tags text[], nums int[], m mood, at geography(Point, 4326))`);
      await tx.unsafe(
        `INSERT INTO k SELECT g, gen_random_uuid(), g * 1.5, g * 100000000000.25, g / 3.0, g, g % 2 = 0,
        g / 4.0, g / 8.0, DATE '2026-01-01' + g, TIMESTAMP '2026-01-01 00:00' + g * interval '1 hour',
        TIMESTAMPTZ '2026-01-01 00:00+00' + g * interval '1 minute', jsonb_build_object('g', g),
        ARRAY['a' || g, NULL], ARRAY[g, g + 1], 'high',
        ST_SetSRID(ST_MakePoint(-1.5 + g / 100.0, 53.8), 4326)::geography FROM generate_series(1, 30) g`,
      );
      await tx.unsafe(`INSERT INTO k (id) VALUES (31)`);
    });
    const out = await tempDir();
    await exportTables(sql, {
      out,
      schema: schema.name,
      format: "iceberg",
      partitionBy: ["d:month", "flag"],
    });
    const metadata = JSON.parse(await Deno.readTextFile(`${out}/k/metadata/v1.metadata.json`));
    const types = Object.fromEntries(
      metadata.schemas[0].fields.map((f: { name: string; type: unknown }) => [f.name, f.type]),
    );
    assert.equal(types.id, "long");
    assert.equal(types.u, "uuid");
    assert.equal(types.amount, "decimal(12,3)");
    assert.equal(types.big, "decimal(30,2)");
    assert.equal(types.small, "int");
    assert.equal(types.r, "float");
    assert.equal(types.d, "date");
    assert.equal(types.ts, "timestamp");
    assert.equal(types.tz, "timestamptz");
    assert.equal(types.doc, "string");
    assert.equal(types.m, "string");
    assert.equal(types.tags.type, "list");
    assert.equal(types.tags.element, "string");
    const bird = await icebergRead({ tableUrl: pathToFileURL(`${out}/k`).href });
    const ours = await readIcebergTable(`${out}/k`);
    assert.equal(bird.length, 31);
    assert.deepEqual(lines(bird, ["id", "small", "flag", "m"]), lines(ours, ["id", "small", "flag", "m"]));
    const files = (await icebergDataFiles(`${out}/k`)).map((f) => sqlString(f.location)).join(", ");
    const duck = await duckdbRows(`SELECT id, small, flag, m, len(tags) AS n FROM read_parquet([${files}])`);
    assert.deepEqual(lines(duck, ["id", "small", "flag", "m"]), lines(ours, ["id", "small", "flag", "m"]));
    const one = ours.find((r) => r.id === 7n)!;
    assert.deepEqual(one.tags, ["a7", null]);
    assert.equal(one.d, "2026-01-08");
    assert.deepEqual(bird.find((r) => Number(r.id) === 7)!.tags, ["a7", null]);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg with --jobs 2: block ranges of one snapshot become data files of one Iceberg snapshot, the same rows as --jobs 1", async () => {
  const sql = connect({ max: 3 });
  const schema = await testSchema(sql, "iceberg_jobs");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".big (id int PRIMARY KEY, v text NOT NULL)`);
    await sql.unsafe(`CREATE TABLE "${schema.name}".small (id int PRIMARY KEY)`);
    await sql.unsafe(
      `INSERT INTO "${schema.name}".big SELECT g, repeat('x', 200) || g FROM generate_series(1, 3000) g`,
    );
    await sql.unsafe(`INSERT INTO "${schema.name}".small SELECT g FROM generate_series(1, 5) g`);
    await sql.unsafe(`ANALYZE "${schema.name}".big`);
    const [one, two] = [await tempDir(), await tempDir()];
    const common = { schema: schema.name, format: "iceberg" as const };
    await exportTables(sql, { ...common, out: one });
    const parallel = await exportTables(sql, { ...common, out: two, jobs: 2, shardRows: 1000 });
    assert.deepEqual(parallel.iceberg!.map((c) => [c.table, c.operation, c.version]).sort(), [
      ["big", "overwrite", 1],
      ["small", "overwrite", 1],
    ]);
    const files = await icebergDataFiles(`${two}/big`);
    assert.ok(files.length > 1, `${files.length} data files`);
    const list = files.map((f) => sqlString(f.location)).join(", ");
    const duck = await duckdbRows(`SELECT id, v FROM read_parquet([${list}])`);
    const bird = await icebergRead({ tableUrl: pathToFileURL(`${two}/big`).href });
    const single = await readIcebergTable(`${one}/big`);
    assert.equal(duck.length, 3000);
    assert.deepEqual(lines(bird, ["id", "v"]), lines(duck, ["id", "v"]));
    assert.deepEqual(lines(single, ["id", "v"]), lines(duck, ["id", "v"]));
    // Every block range's file carries the table's field ids.
    for (const file of files) {
      const ids = await duckdbRows(`SELECT name, field_id FROM parquet_schema(${sqlString(file.location)})`);
      assert.deepEqual(ids.slice(1).map((r) => [r.name, Number(r.field_id)]), [["id", 1], ["v", 2]]);
    }
    const { exportShard } = await import("../postgres.ts");
    await assert.rejects(
      exportShard(sql, {
        ...common,
        out: two,
        shard: { index: 1, count: 2 },
        snapshot: "00000003-0000001B-1",
        batch: "b",
      }),
      /Cannot run exportShard with format: "iceberg"/,
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("iceberg: a millisecond timestamp column is refused, naming table and column", () => {
  const table = defineTable("events", { id: int(), at: timestamptz({ unit: "millis" }) });
  assert.throws(() => planTable(table, [], undefined), (error: Error) => {
    assert.ok(error instanceof IcebergSchemaError);
    assert.equal(error.table, "events");
    assert.equal(error.column, "at");
    assert.match(error.message, /Iceberg timestamps are microseconds/);
    return true;
  });
});

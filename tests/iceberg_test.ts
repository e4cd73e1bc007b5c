/**
 * Iceberg tables an export commits, read by icebird as DuckDB reads the listed files: a full export then an
 * incremental one, every column kind, --jobs 2 and a failed worker under it.
 */

import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { pathToFileURL } from "node:url";
import { icebergDataFiles, icebergSnapshots, readIcebergTable } from "../iceberg.ts";
import { vacuum } from "../batch.ts";
import { exportTables } from "../postgres.ts";
import { readAvroFile } from "../src/export/iceberg/avro_file.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, ensurePostgis, testSchema } from "./helpers/pg.ts";
import { lines } from "./helpers/lines.ts";

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
    // The spec's Parquet mappings (Appendix A): decimals in the smallest of int32, int64 or fixed that holds
    // them, uuid as fixed[16], timestamps in microseconds, 3-level lists; every column's id is its field's.
    const [first] = await icebergDataFiles(`${out}/k`);
    const leaves = await duckdbRows(`SELECT name, type, type_length, logical_type, field_id
                                     FROM parquet_schema(${sqlString(first.location)})`);
    const parquet = Object.fromEntries(leaves.map((r) => [r.name, r]));
    assert.deepEqual([parquet.amount.type, parquet.big.type, parquet.big.type_length], [
      "INT64",
      "FIXED_LEN_BYTE_ARRAY",
      "13",
    ]);
    assert.deepEqual([parquet.u.type, parquet.u.type_length], ["FIXED_LEN_BYTE_ARRAY", "16"]);
    for (const c of ["ts", "tz"]) assert.match(String(parquet[c].logical_type), /MICROS=MicroSeconds\(\)/);
    assert.match(String(parquet.tz.logical_type), /isAdjustedToUTC=1/);
    assert.match(String(parquet.ts.logical_type), /isAdjustedToUTC=0/);
    for (
      const field of metadata.schemas[0].fields as {
        id: number;
        name: string;
        type: { "element-id"?: number };
      }[]
    ) {
      if (field.name in parquet) assert.equal(Number(parquet[field.name].field_id), field.id, field.name);
    }
    const tagsAt = leaves.findIndex((r) => r.name === "tags");
    assert.deepEqual(leaves.slice(tagsAt + 1, tagsAt + 3).map((r) => r.name), ["list", "element"]);
    assert.equal(Number(leaves[tagsAt + 2].field_id), types.tags["element-id"], "the list element's id");
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

Deno.test("iceberg with --jobs 2: a worker that fails commits no table and leaves no data file", async () => {
  const sql = connect({ max: 3 });
  const schema = await testSchema(sql, "iceberg_jobs_fail");
  try {
    await sql.unsafe(
      `CREATE TABLE "${schema.name}".big (id int PRIMARY KEY, v text NOT NULL, n numeric(10,2))`,
    );
    await sql.unsafe(`CREATE TABLE "${schema.name}".small (id int PRIMARY KEY)`);
    // The last block range holds a NaN, which the default specialValues ("error") refuses.
    await sql.unsafe(`INSERT INTO "${schema.name}".big SELECT g, repeat('x', 200) || g,
                      CASE WHEN g = 2900 THEN 'NaN'::numeric ELSE g END FROM generate_series(1, 3000) g`);
    await sql.unsafe(`INSERT INTO "${schema.name}".small SELECT g FROM generate_series(1, 5) g`);
    await sql.unsafe(`ANALYZE "${schema.name}".big`);
    const out = await tempDir();
    await assert.rejects(
      exportTables(sql, { schema: schema.name, format: "iceberg", out, jobs: 2, shardRows: 1000 }),
      (error: Error) => {
        assert.match(error.message, /NaN/);
        assert.match(error.message, /table big/);
        return true;
      },
    );
    const left: string[] = [];
    for await (const entry of Deno.readDir(out)) left.push(entry.name);
    for (const table of left) {
      for await (const file of Deno.readDir(`${out}/${table}`)) {
        assert.fail(`${table}/${file.name} left after the failed run`);
      }
    }
    await assert.rejects(readIcebergTable(`${out}/small`), /No Iceberg table/);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

/** Iceberg: missing metadata and bad inputs are named errors that say what was seen. */

import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { pathToFileURL } from "node:url";
import { readIcebergTable } from "../iceberg.ts";
import { IcebergMetadataMissingError, IcebergSchemaError } from "../iceberg.ts";
import { exportTables } from "../postgres.ts";
import { defineTable, int, ReadError, timestamptz } from "../mod.ts";
import { planTable } from "../src/export/iceberg/commit_snapshot.ts";
import { runCli } from "./helpers/cli.ts";
import { DATABASE_URL } from "./helpers/pg.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";

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

/** Iceberg commits: racing writers each keep their snapshot; a schema evolves by field id or is refused. */

import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { pathToFileURL } from "node:url";
import { icebergDataFiles, icebergSnapshots, readIcebergTable } from "../iceberg.ts";
import { IcebergSchemaError } from "../iceberg.ts";
import { exportTables } from "../postgres.ts";
import { defineTable, int, writeParquet } from "../mod.ts";
import { IcebergCommitConflictError } from "../iceberg.ts";
import { LocalStorage } from "../local.ts";
import { commitSnapshot, planTable } from "../src/export/iceberg/commit_snapshot.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, testSchema } from "./helpers/pg.ts";
import { lines } from "./helpers/lines.ts";

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

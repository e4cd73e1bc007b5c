/** Iceberg commits: racing writers and export runs (appends and overwrites) each keep their snapshot; a schema evolves by field id, is refused, or conflicts with another writer's. */

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
import { currentMetadata } from "../src/export/iceberg/metadata_store.ts";
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

/** Writes one row of `table` as a data file for `plan`, and commits it as one snapshot. */
async function commitRow(
  location: string,
  table: ReturnType<typeof defineTable>,
  plan: ReturnType<typeof planTable>,
  row: Record<string, unknown>,
  operation: "append" | "overwrite",
) {
  const storage = new LocalStorage();
  const written = await writeParquet(location, [row], { table, fieldIds: plan.schema.fieldIds });
  const file = {
    uri: storage.uri(written.location),
    rows: written.rows,
    bytes: written.bytes,
    partition: {},
  };
  return await commitSnapshot(storage, location, table, [], plan, [file], { operation });
}

Deno.test("iceberg: racing overwrites all survive, in order, each replacing the one committed before it", async () => {
  const location = `${await tempDir()}/replaced`;
  const table = defineTable("replaced", { id: int() });
  const plan = planTable(table, [], undefined);
  await commitRow(location, table, plan, { id: 0 }, "overwrite");
  const commits = await Promise.all(
    [1, 2, 3].map((id) => commitRow(location, table, plan, { id }, "overwrite")),
  );
  assert.ok(commits.some((c) => c.attempts > 1), "no writer had to retry: the race did not happen");
  const snapshots = await icebergSnapshots(location);
  assert.deepEqual(snapshots.map((s) => s["sequence-number"]), [1, 2, 3, 4]);
  for (const [i, snapshot] of snapshots.entries()) {
    if (i) assert.equal(snapshot["parent-snapshot-id"], snapshots[i - 1]["snapshot-id"]);
    // A retried overwrite was rebuilt on the writer that beat it: it deletes that writer's file, not
    // the one its first attempt saw, so every snapshot holds exactly its own row.
    const rows = await readIcebergTable(location, { snapshotId: snapshot["snapshot-id"] });
    assert.equal(rows.length, 1, `snapshot ${i + 1}`);
    if (i) assert.equal(snapshot.summary["deleted-data-files"], "1");
    const bird = await icebergRead({
      tableUrl: pathToFileURL(location).href,
      metadataFileName: `v${i + 1}.metadata.json`,
    });
    assert.deepEqual(bird.map((r) => r.id), rows.map((r) => r.id));
  }
  const last = commits.find((c) => c.snapshotId === snapshots[3]["snapshot-id"])!;
  assert.equal(last.version, 4);
  assert.equal((await readIcebergTable(location)).length, 1);
});

Deno.test("iceberg: a commit whose table another writer evolved meanwhile is a named conflict, and that writer's snapshot stays", async () => {
  const location = `${await tempDir()}/evolving`;
  const base = defineTable("evolving", { id: int() });
  await commitRow(location, base, planTable(base, [], undefined), { id: 1 }, "append");
  const storage = new LocalStorage();
  const current = await currentMetadata(storage, location);
  // Both writers plan on v1; each adds a different column, so each gives field id 2 to its own.
  const withX = defineTable("evolving", { id: int(), x: int().nullable() });
  const withY = defineTable("evolving", { id: int(), y: int().nullable() });
  const [planX, planY] = [planTable(withX, [], current), planTable(withY, [], current)];
  assert.deepEqual([planX.schema.fieldIds, planY.schema.fieldIds].map((ids) => Object.values(ids)), [[1, 2], [
    1,
    2,
  ]]);
  await commitRow(location, withX, planX, { id: 2, x: 5 }, "append");
  await assert.rejects(commitRow(location, withY, planY, { id: 3, y: 6 }, "append"), (error: Error) => {
    assert.ok(error instanceof IcebergCommitConflictError, String(error));
    assert.equal(error.table, "evolving");
    assert.match(error.message, /another writer changed the table's schema or partition spec/);
    return true;
  });
  assert.equal((await icebergSnapshots(location)).length, 2);
  const rows = await readIcebergTable(location);
  assert.deepEqual(rows.map((r) => [r.id, r.x]).sort(), [[1, null], [2, 5]]);
});

Deno.test("iceberg: two export runs committing the same table at once both land, one after the other", async () => {
  const sql = connect({ max: 2 });
  const schema = await testSchema(sql, "iceberg_two_runs");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".t (id int PRIMARY KEY, site int NOT NULL)`);
    await sql.unsafe(`INSERT INTO "${schema.name}".t SELECT g, g % 3 FROM generate_series(1, 500) g`);
    const out = await tempDir();
    const options = { out, schema: schema.name, format: "iceberg" as const, partitionBy: ["site"] };
    const runs = await Promise.all([exportTables(sql, options), exportTables(sql, options)]);
    const commits = runs.map((r) => r.iceberg![0]);
    assert.deepEqual(commits.map((c) => c.version).sort(), [1, 2]);
    const snapshots = await icebergSnapshots(`${out}/t`);
    assert.deepEqual(snapshots.map((s) => s["sequence-number"]), [1, 2]);
    assert.equal(snapshots[1]["parent-snapshot-id"], snapshots[0]["snapshot-id"]);
    // The second overwrite replaced the first's three files; each snapshot reads the whole table.
    assert.equal(snapshots[1].summary["deleted-data-files"], "3");
    for (const [i, snapshot] of snapshots.entries()) {
      assert.equal((await readIcebergTable(`${out}/t`, { snapshotId: snapshot["snapshot-id"] })).length, 500);
      const bird = await icebergRead({
        tableUrl: pathToFileURL(`${out}/t`).href,
        metadataFileName: `v${i + 1}.metadata.json`,
      });
      assert.equal(bird.length, 500);
    }
    console.log(`commit attempts: ${commits.map((c) => c.attempts).join(", ")}`);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

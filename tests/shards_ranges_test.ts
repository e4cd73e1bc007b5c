/**
 * One table split into block ranges across shard processes: `--leader --jobs 2` plans two ranges of it,
 * `--shard 1/2` and `--shard 2/2` each export one range as its own file in the leader's snapshot, and
 * `--commit` gives the same rows as one `--jobs 2` run.
 */

import assert from "node:assert/strict";
import { listManifests } from "../batch.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { exportTables } from "../src/export/export_tables.ts";
import { readParts, readPlan } from "../src/export/batch_parts.ts";
import { LocalStorage } from "../local.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/files.ts";
import { startLeader } from "./helpers/leader.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { committedRows, createTables } from "./helpers/parallel_tables.ts";

Deno.test("--shard 1/2 and 2/2 as processes each export one block range of a table; --commit equals --jobs 2", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "shard_ranges");
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
  try {
    await createTables(admin, schema.name);
    const [jobs, shards] = [await tempDir(), await tempDir()];
    await exportTables(sql, { out: jobs, schema: schema.name, tables: ["big"], jobs: 2 });
    const common = ["--db", DATABASE_URL, "--out", shards];
    const leader = await startLeader([...common, "--schema", schema.name, "--tables", "big", "--jobs", "2"]);
    try {
      const plan = await readPlan(new LocalStorage(), shards, leader.batch);
      assert.deepEqual(plan.units.map((u) => [u.table, u.blocks?.from, u.blocks?.to === null]), [
        ["big", 0, false],
        ["big", plan.units[1].blocks!.from, true],
      ]);
      // Written after the leader's snapshot, in both ranges: no shard sees it.
      await admin.unsafe(`DELETE FROM "${schema.name}".big WHERE id % 1000 = 0`);
      await admin.unsafe(
        `INSERT INTO "${schema.name}".big SELECT g, 'late', 0, NULL FROM generate_series(60001, 60100) g`,
      );
      const ids = ["--snapshot", leader.snapshot, "--batch", leader.batch];
      const ran = await Promise.all(
        ["1/2", "2/2"].map((shard) => runCli("export", [...common, "--shard", shard, ...ids])),
      );
      for (const r of ran) assert.equal(r.code, 0, r.stderr);
      const parts = await readParts(new LocalStorage(), shards, leader.batch);
      assert.deepEqual(
        parts.map((p) => p.units.map((u) => u.index)).sort(),
        [[0], [1]],
        "each shard exported one range",
      );
      const commit = await runCli("export", ["--out", shards, "--commit", leader.batch]);
      assert.equal(commit.code, 0, commit.stderr);
    } finally {
      await leader.close();
    }
    const [manifest] = await listManifests(shards);
    const big = manifest.tables.find((t) => t.name === "big")!;
    assert.equal(big.files.length, 2, "one file per block range");
    assert.deepEqual(big.files.map((f) => f.rows).reduce((a, b) => a + b), 60000);
    const rows = await committedRows(shards, "big");
    assert.equal(rows.length, 60000);
    assert.ok(rows.every((r) => r.a !== "late"));
    assert.deepEqual(rows, await committedRows(jobs, "big"));
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

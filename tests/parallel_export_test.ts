/** Parallel export with --jobs: the plan, the same rows as --jobs 1 (library and CLI, batch and Iceberg), one snapshot for every worker, a killed worker, bad input. */

import assert from "node:assert/strict";
import { icebergRead } from "icebird";
import { pathToFileURL } from "node:url";
import { icebergDataFiles } from "../iceberg.ts";
import { listManifests } from "../batch.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { exportTables } from "../src/export/export_tables.ts";
import { blockRangeClause, planUnits, shardUnits } from "../src/export/export_plan.ts";
import { commitShards, exportInParallel, exportShard } from "../src/export/parallel_export.ts";
import { runCli } from "./helpers/cli.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { committedRows, createTables, TABLES, tagged } from "./helpers/parallel_tables.ts";

Deno.test("planning: tables split by row estimate and to keep the workers busy; shards disjoint", () => {
  const sizes = [
    { name: "a", blocks: 1000, rows: 250_000, splittable: true },
    { name: "b", blocks: 10, rows: 100, splittable: true },
    { name: "c", blocks: 5000, rows: 900_000, splittable: false },
  ];
  const byRows = planUnits(sizes, { shardRows: 100_000 });
  assert.deepEqual(byRows.filter((u) => u.table === "a").map((u) => u.blocks), [
    { from: 0, to: 333 },
    { from: 333, to: 666 },
    { from: 666, to: null },
  ]);
  assert.equal(byRows.filter((u) => u.table === "c").length, 1, "a table COPY cannot read stays whole");
  const busy = planUnits(sizes, { parts: 8, shardRows: 1e9 });
  assert.equal(busy.length, 8);
  assert.equal(busy.filter((u) => u.table === "b").length, 1, "the largest per unit is split first");
  for (const count of [1, 2, 3, 5]) {
    const seen = Array.from({ length: count }, (_, i) => shardUnits(busy, i + 1, count)).flat();
    assert.deepEqual(seen.map((u) => u.index).sort((x, y) => x - y), busy.map((u) => u.index));
  }
});

Deno.test("--jobs 2 and --jobs 1 commit the same rows for every table, large ones split into block ranges", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "jobs_same");
  const sql = connectPostgres({ url: DATABASE_URL, max: 4 });
  try {
    await createTables(admin, schema.name);
    const one = await tempDir();
    const two = await tempDir();
    const first = await exportTables(sql, { out: one, schema: schema.name, tables: TABLES });
    const second = await exportTables(sql, {
      out: two,
      schema: schema.name,
      tables: TABLES,
      jobs: 2,
      shardRows: 20_000,
    });
    assert.deepEqual(second.tables.map((t) => t.table), TABLES, "tables in the order asked for");
    assert.deepEqual(second.tables.map((t) => t.rows), first.tables.map((t) => t.rows));
    const [manifest] = await listManifests(two);
    assert.equal(manifest.batch, second.batch);
    assert.equal(manifest.snapshot, second.snapshot);
    const files = Object.fromEntries(manifest.tables.map((t) => [t.name, t.files.length]));
    assert.ok(files.big >= 3 && files.logs >= 2, `big and logs split: ${JSON.stringify(files)}`);
    assert.equal(files.tagged, 1);
    for (const table of TABLES) {
      assert.deepEqual(await committedRows(two, table), await committedRows(one, table), table);
    }
    assert.equal((await committedRows(two, "big")).length, 60000);
    const explained = await admin.unsafe(`EXPLAIN SELECT * FROM "${schema.name}".big
                                          WHERE ${blockRangeClause({ from: 10, to: 20 })}`);
    assert.match(String(explained[0]["QUERY PLAN"]), /Tid Range Scan/, "a range reads only its blocks");
    const whole = await exportTables(sql, { out: await tempDir(), schema: schema.name, jobs: 2 });
    assert.deepEqual(whole.tables.map((t) => t.table), [...TABLES].sort());
    assert.deepEqual(whole.skipped?.map((r) => [r.name, r.kind]), [["recent", "view"]]);
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

Deno.test("--jobs: every worker reads the leader's snapshot; rows written after it are not seen", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "jobs_snapshot");
  const sql = connectPostgres({ url: DATABASE_URL, max: 4 });
  try {
    await createTables(admin, schema.name);
    const out = await tempDir();
    const s = `"${schema.name}"`;
    const summary = await exportInParallel(sql, {
      out,
      schema: schema.name,
      tables: TABLES,
      jobs: 3,
      shardRows: 20_000,
      // Between the leader's snapshot and any worker's first read.
      onSnapshot: async () => {
        await admin.unsafe(
          `INSERT INTO ${s}.big SELECT g, 'late', 0, NULL FROM generate_series(60001, 61000) g`,
        );
        await admin.unsafe(`DELETE FROM ${s}.logs WHERE id <= 5000`);
        await admin.unsafe(`INSERT INTO ${s}.tagged VALUES (4, '{late}')`);
        await admin.unsafe(`INSERT INTO ${s}.empty VALUES (1)`);
      },
    });
    const rows = Object.fromEntries(summary.tables.map((t) => [t.table, t.rows]));
    assert.deepEqual(rows, { big: 60000, logs: 25000, tagged: 3, empty: 0 });
    const big = await committedRows(out, "big");
    assert.equal(big.length, 60000);
    assert.ok(big.every((r) => r.a !== "late"));
    assert.equal((await committedRows(out, "logs"))[0].id, 1, "deleted rows still there");
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

Deno.test("--jobs: a worker killed mid-run fails the run, commits nothing and leaves no file", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "jobs_kill");
  const db = tagged("jobs_kill");
  const sql = connectPostgres({ url: db.url, max: 4 });
  try {
    const s = `"${schema.name}"`;
    await admin.unsafe(`CREATE TABLE ${s}.big AS SELECT g AS id, md5(g::text) AS a, md5((-g)::text) AS b
                        FROM generate_series(1, 400000) g`);
    await admin.unsafe(`CREATE TABLE ${s}.small AS SELECT g AS id FROM generate_series(1, 10) g`);
    await admin.unsafe(`ANALYZE ${s}.big`);
    const out = await tempDir();
    const run = exportTables(sql, {
      out,
      schema: schema.name,
      jobs: 2,
      shardRows: 100_000,
      rowGroupSize: 20_000,
    });
    run.catch(() => {});
    let killed = 0;
    for (let i = 0; i < 4000 && !killed; i++) {
      killed = (await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE application_name = ${db.name} AND query ILIKE 'COPY%ctid%' LIMIT 1`).length;
      if (!killed) await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(killed, "a worker's backend was terminated");
    const killedAt = performance.now();
    await assert.rejects(run, (error: Error) => {
      assert.match(error.message, /table big/);
      assert.match(error.message, /connection to PostgreSQL was lost|terminat/i);
      return true;
    });
    console.log(`failed ${Math.round(performance.now() - killedAt)} ms after the kill`);
    assert.deepEqual(await allFiles(out), [], "no manifest, no file, no temporary file");
    // The other workers were stopped too: none of this test's backends is left running a query.
    for (let i = 0; i < 200; i++) {
      const busy = await admin`SELECT 1 FROM pg_stat_activity WHERE application_name = ${db.name}
                                AND state <> 'idle'`;
      if (!busy.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const busy = await admin`SELECT state, query FROM pg_stat_activity WHERE application_name = ${db.name}
                              AND state <> 'idle'`;
    assert.deepEqual([...busy], [], "no backend of the run still busy");
  } finally {
    await sql.end({ timeout: 5 });
    await schema.drop();
    await admin.end();
  }
});

Deno.test("--jobs: bad input fails before anything is written", async () => {
  const out = await tempDir();
  const sql = connectPostgres({ url: DATABASE_URL, max: 2 });
  try {
    await assert.rejects(
      exportTables(sql, { out, jobs: 0 }),
      /jobs must be a positive integer: current value is 0/,
    );
    await assert.rejects(exportTables(sql, { out, jobs: 1.5 }), /current value is 1.5/);
    await assert.rejects(exportTables(sql, { out, jobs: 2 }), /needs a client of 3 connections.*max: 2/);
    const ids = { snapshot: "00000003-0000001B-1", batch: "20990101T000000000Z_00000000" };
    await assert.rejects(
      exportShard(sql, { out, shard: { index: 3, count: 2 }, ...ids }),
      /1 to 2: current value is 3\/2/,
    );
    await assert.rejects(
      exportShard(sql, { out, shard: { index: 1, count: 0 }, ...ids }),
      /shard count must be/,
    );
    await assert.rejects(
      exportShard(sql, { out, shard: { index: 1, count: 1 }, ...ids }),
      /No plan for batch/,
    );
    await assert.rejects(commitShards(out, ids.batch), /No plan for batch 20990101T000000000Z_00000000/);
  } finally {
    await sql.end();
  }
  assert.deepEqual(await allFiles(out), []);
  for (
    const [args, message] of [
      [["--jobs", "0"], /--jobs must be a positive integer: current value is 0/],
      [["--jobs", "two"], /--jobs must be a positive integer: current value is two/],
      [["--shard", "3/2", "--snapshot", "00000003-0000001B-1", "--batch", "b"], /--shard takes i\/N .*3\/2/],
      [["--shard", "1/2"], /--shard needs --snapshot and --batch/],
      [["--snapshot", "00000003-0000001B-1"], /--snapshot and --batch go with --shard/],
      [["--leader", "--commit", "x"], /--leader and --commit cannot be combined/],
    ] as const
  ) {
    const ran = await runCli("export", ["--db", DATABASE_URL, "--out", out, ...args]);
    assert.equal(ran.code, 2, ran.stderr);
    assert.match(ran.stderr, message);
  }
});

Deno.test("CLI --jobs 3 and --jobs 1 commit the same rows, as a batch and as Iceberg tables", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "jobs_cli");
  try {
    await createTables(admin, schema.name);
    const common = ["--db", DATABASE_URL, "--schema", schema.name, "--tables", "big,logs", "--json"];
    const [one, three, lake] = [await tempDir(), await tempDir(), await tempDir()];
    const runs: [string, string[]][] = [[one, []], [three, ["--jobs", "3"]], [lake, [
      "--jobs",
      "3",
      "--format",
      "iceberg",
    ]]];
    for (const [out, more] of runs) {
      const ran = await runCli("export", [...common, "--out", out, ...more]);
      assert.equal(ran.code, 0, ran.stderr);
    }
    const [manifest] = await listManifests(three);
    assert.deepEqual(manifest.tables.map((t) => [t.name, t.files.length]), [["big", 2], ["logs", 1]]);
    for (const table of ["big", "logs"]) {
      const expected = await committedRows(one, table);
      assert.deepEqual(await committedRows(three, table), expected, table);
      const files = await icebergDataFiles(`${lake}/${table}`);
      assert.equal(files.length, table === "big" ? 2 : 1);
      const bird = await icebergRead({ tableUrl: pathToFileURL(`${lake}/${table}`).href });
      assert.deepEqual(
        bird.map((r) => Number(r.id)).sort((a, b) => a - b),
        expected.map((r) => Number(r.id)),
      );
    }
  } finally {
    await schema.drop();
    await admin.end();
  }
});

/**
 * Parallel export as separate processes: --leader, --shard i/n and --commit equal one --jobs run; stale or
 * unknown snapshots, wrong batches, killed shards and missing parts give clear errors; and the same on S3.
 */

import assert from "node:assert/strict";
import { committedFiles, listManifests, readCommitted } from "../batch.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { exportTables } from "../src/export/export_tables.ts";
import { commitShards, exportShard, openShardLeader } from "../src/export/parallel_export.ts";
import { testBucket } from "./helpers/s3_server.ts";
import { runCli, spawnCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { committedRows, createTables, TABLES, tagged } from "./helpers/parallel_tables.ts";
import { startLeader } from "./helpers/leader.ts";

Deno.test("--shard 1/2 and 2/2 as separate processes plus --commit equal one --jobs 2 run", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "jobs_shards");
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
  try {
    await createTables(admin, schema.name);
    const jobs = await tempDir();
    const shards = await tempDir();
    const tables = TABLES.join(",");
    await exportTables(sql, { out: jobs, schema: schema.name, tables: TABLES, jobs: 2 });
    const common = ["--db", DATABASE_URL, "--out", shards];
    const leader = await startLeader([...common, "--schema", schema.name, "--tables", tables, "--jobs", "2"]);
    try {
      // Written after the leader's snapshot: no shard sees it.
      await admin.unsafe(`INSERT INTO "${schema.name}".tagged VALUES (9, '{late}')`);
      const ids = ["--snapshot", leader.snapshot, "--batch", leader.batch];
      const [one, two] = await Promise.all([
        runCli("export", [...common, "--shard", "1/2", ...ids]),
        runCli("export", [...common, "--shard", "2/2", ...ids]),
      ]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(two.code, 0, two.stderr);
      assert.equal((await listManifests(shards)).length, 0, "nothing committed before --commit");
      const again = await runCli("export", [...common, "--shard", "2/2", ...ids]);
      assert.equal(again.code, 1, "a shard's part is never replaced");
      assert.match(again.stderr, /part of shard 2\/2/);
      const commit = await runCli("export", ["--out", shards, "--commit", leader.batch, "--json"]);
      assert.equal(commit.code, 0, commit.stderr);
      assert.equal(JSON.parse(commit.stdout).batch, leader.batch);
      // The leader lets the snapshot go by itself once the batch is committed.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ended = await Promise.race([
        leader.child.status.then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 15_000)),
      ]);
      clearTimeout(timer);
      assert.ok(ended, "the leader ended after the commit");
      const twice = await runCli("export", ["--out", shards, "--commit", leader.batch]);
      assert.equal(twice.code, 1, "a batch is committed once");
      assert.match(twice.stderr, /Cannot commit batch/);
    } finally {
      await leader.close();
    }
    const [manifest] = await listManifests(shards);
    assert.equal(manifest.batch, leader.batch);
    for (const table of TABLES) {
      assert.deepEqual(await committedRows(shards, table), await committedRows(jobs, table), table);
    }
    assert.equal((await committedRows(shards, "tagged")).length, 3);
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

Deno.test("shards: a stale or unknown snapshot, a wrong batch, a killed shard and a missing part give clear errors", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "jobs_shard_bad");
  try {
    await createTables(admin, schema.name);
    const out = await tempDir();
    const common = ["--db", DATABASE_URL, "--out", out];
    const leader = await startLeader([...common, "--schema", schema.name, "--jobs", "2"]);
    let stale: string;
    try {
      const unknown = await runCli("export", [
        ...common,
        "--shard",
        "1/2",
        "--snapshot",
        "00000003-0000FFFF-1",
        "--batch",
        leader.batch,
      ]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /reads snapshot .*not 00000003-0000FFFF-1/);
      const noBatch = await runCli("export", [
        ...common,
        "--shard",
        "1/2",
        "--snapshot",
        leader.snapshot,
        "--batch",
        "nope",
      ]);
      assert.equal(noBatch.code, 1);
      assert.match(noBatch.stderr, /No plan for batch nope/);
      // Killed mid-run: no part, so the batch cannot be committed.
      const db = tagged("jobs_shard_kill");
      const child = spawnCli("export", [
        "--db",
        db.url,
        "--out",
        out,
        "--shard",
        "1/2",
        "--snapshot",
        leader.snapshot,
        "--batch",
        leader.batch,
      ]);
      let reading = false;
      for (let i = 0; i < 4000 && !reading; i++) {
        reading = (await admin`SELECT 1 FROM pg_stat_activity WHERE application_name = ${db.name}
                               AND query ILIKE 'COPY%'`).length > 0;
        if (!reading) await new Promise((r) => setTimeout(r, 5));
      }
      assert.ok(reading, "the shard was seen reading");
      child.kill("SIGKILL");
      await child.output();
      const ok = await runCli("export", [
        ...common,
        "--shard",
        "2/2",
        "--snapshot",
        leader.snapshot,
        "--batch",
        leader.batch,
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      stale = leader.snapshot;
    } finally {
      await leader.close();
    }
    const missing = await runCli("export", ["--out", out, "--commit", leader.batch]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /shard 1\/2 has not written its part/);
    assert.equal((await listManifests(out)).length, 0);
    // The leader has released it: the snapshot cannot be imported any more.
    const late = await runCli("export", [
      ...common,
      "--shard",
      "1/2",
      "--snapshot",
      stale,
      "--batch",
      leader.batch,
    ]);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /PostgreSQL knows no such snapshot/);
    const badId = await runCli("export", [
      ...common,
      "--shard",
      "1/1",
      "--snapshot",
      "x'; --",
      "--batch",
      "b",
    ]);
    assert.equal(badId.code, 1);
    assert.match(badId.stderr, /snapshot id must be one that pg_export_snapshot\(\) returned/);
    const unknownBatch = await runCli("export", ["--out", out, "--commit", "20990101T000000000Z_00000000"]);
    assert.equal(unknownBatch.code, 1);
    assert.match(unknownBatch.stderr, /No plan for batch 20990101T000000000Z_00000000/);
  } finally {
    await schema.drop();
    await admin.end();
  }
});

Deno.test("S3: --jobs 2, and shards committed by commitShards, on the Ceph gateway", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "jobs_s3");
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
  await using bucket = await testBucket("jobs");
  try {
    await createTables(admin, schema.name);
    const s3 = bucket.options;
    const local = await tempDir();
    await exportTables(sql, { out: local, schema: schema.name, tables: TABLES });
    const out = bucket.url("jobs");
    const jobs = await exportTables(sql, {
      out,
      schema: schema.name,
      tables: TABLES,
      jobs: 2,
      shardRows: 20_000,
      s3,
    });
    const viaJobs = await committedFiles(out, "big", { s3 });
    assert.ok(viaJobs.files.length >= 3);
    assert.equal(viaJobs.batches[0], jobs.batch);
    const sharded = bucket.url("shards");
    const leader = await openShardLeader(sql, {
      out: sharded,
      schema: schema.name,
      tables: TABLES,
      parts: 2,
      s3,
    });
    try {
      const { snapshot, batch } = leader.plan;
      await Promise.all(
        [1, 2].map((index) =>
          exportShard(sql, { out: sharded, shard: { index, count: 2 }, snapshot, batch, s3 })
        ),
      );
    } finally {
      await leader.release();
    }
    await assert.rejects(
      exportShard(sql, {
        out: sharded,
        shard: { index: 1, count: 2 },
        snapshot: leader.plan.snapshot,
        batch: leader.plan.batch,
        s3,
      }),
      /Cannot read in snapshot .*no such snapshot/,
    );
    const committed = await commitShards(sharded, leader.plan.batch, { s3 });
    await assert.rejects(commitShards(sharded, leader.plan.batch, { s3 }), /Cannot commit batch/);
    assert.deepEqual(committed.tables.map((t) => t.rows), [60000, 25000, 3, 0]);
    assert.equal((await listManifests(sharded, { s3 })).length, 1, "parts are not manifests");
    for (const table of TABLES) {
      const expected = await committedRows(local, table);
      for (const root of [out, sharded]) {
        const rows = (await readCommitted(root, table, { s3 })).sort((a, b) => Number(a.id) - Number(b.id));
        assert.equal(rows.length, expected.length, `${root} ${table}`);
        assert.deepEqual(rows.map((r) => Number(r.id)), expected.map((r) => Number(r.id)));
      }
    }
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

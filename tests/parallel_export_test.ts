import assert from "node:assert/strict";
import { join } from "node:path";
import { committedFiles, listManifests, readCommitted } from "../batch.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { exportTables } from "../src/export/export_tables.ts";
import { blockRangeClause, planUnits, shardUnits } from "../src/export/export_plan.ts";
import {
  commitShards,
  exportInParallel,
  exportShard,
  openShardLeader,
} from "../src/export/parallel_export.ts";
import { testBucket } from "./helpers/s3_server.ts";
import { runCli, spawnCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const TABLES = ["big", "logs", "tagged", "empty"];

/** Two COPY tables large enough to split, one read row by row (an array), one empty. */
async function createTables(sql: ReturnType<typeof connect>, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await sql.unsafe(`CREATE TABLE ${s}.big AS SELECT g AS id, md5(g::text) AS a, g * 1.5 AS f,
                    CASE WHEN g % 3 = 0 THEN NULL ELSE now() - g * interval '1 minute' END AS at
                    FROM generate_series(1, 60000) g`);
  await sql.unsafe(
    `CREATE TABLE ${s}.logs AS SELECT g AS id, md5((-g)::text) AS msg FROM generate_series(1, 25000) g`,
  );
  await sql.unsafe(`CREATE TABLE ${s}.tagged (id int PRIMARY KEY, tags text[])`);
  await sql.unsafe(`INSERT INTO ${s}.tagged VALUES (1, '{a,b}'), (2, NULL), (3, '{}')`);
  await sql.unsafe(`CREATE TABLE ${s}.empty (id int)`);
  await sql.unsafe(`ANALYZE ${s}.big; ANALYZE ${s}.logs`);
  await sql.unsafe(`CREATE VIEW ${s}.recent AS SELECT id FROM ${s}.big WHERE id > 59000`);
}

/** A table's rows as DuckDB reads them from the files the latest batch lists, in id order. */
async function committedRows(out: string, table: string): Promise<Record<string, unknown>[]> {
  const { files } = await committedFiles(out, table);
  if (!files.length) return [];
  const list = files.map((f) => sqlString(join(out, f.path))).join(", ");
  return await duckdbRows(`SELECT * FROM read_parquet([${list}]) ORDER BY id`);
}

/** The test database under an application_name of its own, to find this test's backends. */
function tagged(tag: string): { url: string; name: string } {
  const name = `${tag}_${crypto.randomUUID().slice(0, 8)}`;
  return { url: `${DATABASE_URL}${DATABASE_URL.includes("?") ? "&" : "?"}application_name=${name}`, name };
}

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

/** Starts `--leader`; resolves with its ids once it has printed them. */
async function startLeader(
  args: string[],
): Promise<{ snapshot: string; batch: string; child: Deno.ChildProcess; close(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../src/cli/export.ts", import.meta.url).pathname, "--leader", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/batch=\S+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) {
      const err = await new Response(child.stderr).text();
      throw new Error(`the leader ended: ${text} ${err}`);
    }
    text += value;
  }
  const [, snapshot, batch] = /snapshot=(\S+) batch=(\S+)/.exec(text)!;
  return {
    snapshot,
    batch,
    child,
    close: async () => {
      await child.stdin.close().catch(() => {});
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      const status = await child.status;
      await child.stderr.cancel().catch(() => {});
      assert.equal(status.code, 0, "the leader ends cleanly when stdin closes");
    },
  };
}

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

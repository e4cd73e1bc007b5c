import assert from "node:assert/strict";
import { latestWatermark, listManifests, readCommitted } from "../batch.ts";
import { runCli, spawnCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const env = { DATABASE_URL };

Deno.test("two incremental runs with inserts and updates between: the union, newest per key, is the table", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "incremental");
  const table = `"${schema.name}".readings`;
  try {
    await sql.unsafe(`CREATE TABLE ${table} (id int PRIMARY KEY, value numeric(8,2) NOT NULL,
                      updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await sql.unsafe(`CREATE TABLE "${schema.name}".plain (id int PRIMARY KEY)`);
    // Many rows share one timestamp, so ties must be broken by the primary key.
    await sql.unsafe(
      `INSERT INTO ${table} SELECT g, g, '2026-01-01 00:00:00+00' FROM generate_series(1, 500) g`,
    );
    await sql.unsafe(`INSERT INTO "${schema.name}".plain VALUES (1)`);
    const out = await tempDir();
    const run = async () => {
      const ran = await runCli("export", ["--schema", schema.name, "--out", out, "--incremental", "--json"], {
        env,
      });
      assert.equal(ran.code, 0, ran.stderr);
      return JSON.parse(ran.stdout);
    };
    const first = await run();
    const firstReadings = first.tables.find((t: { table: string }) => t.table === "readings");
    assert.equal(firstReadings.rows, 500);
    assert.match(firstReadings.note, /first incremental run/);
    assert.match(
      first.tables.find((t: { table: string }) => t.table === "plain").note,
      /no updated_at column: exported whole/,
    );
    assert.equal((await latestWatermark(out, "readings"))?.key?.id, "500");

    await sql.unsafe(
      `UPDATE ${table} SET value = value + 0.5, updated_at = clock_timestamp() WHERE id % 100 = 0`,
    );
    await sql.unsafe(`INSERT INTO ${table} SELECT g, g, clock_timestamp() FROM generate_series(501, 520) g`);
    const second = await run();
    const secondReadings = second.tables.find((t: { table: string }) => t.table === "readings");
    assert.equal(secondReadings.mode, "incremental");
    assert.equal(secondReadings.rows, 25, "5 updated + 20 inserted");
    const third = await run();
    assert.equal(
      third.tables.find((t: { table: string }) => t.table === "readings").rows,
      0,
      "nothing changed",
    );

    const union = await readCommitted(out, "readings");
    assert.equal(union.length, 525, "500 + 25 + 0 rows");
    const newest = new Map<number, { value: string; updated_at: string }>();
    for (const row of union) {
      const seen = newest.get(row.id as number);
      if (!seen || seen.updated_at <= (row.updated_at as string)) newest.set(row.id as number, row as never);
    }
    const live = await sql.unsafe(`SELECT id, value::text AS value FROM ${table} ORDER BY id`);
    assert.deepEqual(
      [...newest.entries()].sort(([a], [b]) => a - b).map(([id, r]) => ({ id, value: r.value })),
      live.map((r) => ({ id: r.id, value: r.value })),
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("an export killed with SIGKILL mid-batch leaves no manifest; the last batch reads as before; the next run succeeds", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "kill_batch");
  try {
    await sql.unsafe(
      `CREATE TABLE "${schema.name}".big AS SELECT g AS id, md5(g::text) AS label FROM generate_series(1, 300000) g`,
    );
    const out = await tempDir();
    const args = ["--schema", schema.name, "--out", out];
    assert.equal((await runCli("export", args, { env })).code, 0);
    const before = await listManifests(out);
    assert.equal(before.length, 1);

    await sql.unsafe(`DELETE FROM "${schema.name}".big WHERE id > 200000`);
    const child = spawnCli("export", args, { env });
    for (let i = 0; i < 400; i++) {
      const active =
        await sql`SELECT 1 FROM pg_stat_activity WHERE application_name = 'parquet-storage' AND query ILIKE '%big%'`;
      if (active.length) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    assert.equal((await listManifests(out)).length, 1, "the killed run committed nothing");
    assert.equal(
      (await readCommitted(out, "big")).length,
      300000,
      "the latest committed batch reads as before",
    );

    assert.equal((await runCli("export", args, { env })).code, 0);
    assert.equal((await readCommitted(out, "big")).length, 200000);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("concurrent exports to the same output never name another run's files", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "concurrent");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".t AS SELECT g AS id FROM generate_series(1, 20000) g`);
    const out = await tempDir();
    const runs = await Promise.all(
      Array.from(
        { length: 4 },
        () => runCli("export", ["--schema", schema.name, "--out", out, "--json"], { env }),
      ),
    );
    for (const ran of runs) assert.equal(ran.code, 0, ran.stderr);
    const manifests = await listManifests(out);
    assert.equal(manifests.length, 4);
    const byRun = runs.map((r) => JSON.parse(r.stdout));
    for (const manifest of manifests) {
      const run = byRun.find((r) => r.batch === manifest.batch);
      assert.ok(run, "each manifest belongs to one run");
      assert.deepEqual(manifest.tables[0].files.map((f) => `${out}/${f.path}`), [run.tables[0].location]);
    }
    assert.equal(new Set(manifests.flatMap((m) => m.tables[0].files.map((f) => f.path))).size, 4);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("incremental runs through binary COPY and through rows write the same rows and watermarks", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "incremental_doors");
  const table = `"${schema.name}".readings`;
  try {
    await sql.unsafe(`CREATE TABLE ${table} (id int PRIMARY KEY, tags text[], value numeric(8,2),
                      updated_at timestamptz NOT NULL)`);
    await sql.unsafe(`INSERT INTO ${table} SELECT g, ARRAY['t' || g, NULL], g, '2026-01-01 00:00:00+00'
                      FROM generate_series(1, 300) g`);
    const copyOut = await tempDir(), rowsOut = await tempDir();
    const run = async (out: string, ...extra: string[]) => {
      const ran = await runCli(
        "export",
        ["--schema", schema.name, "--out", out, "--incremental", "--json", ...extra],
        { env },
      );
      assert.equal(ran.code, 0, ran.stderr);
      return JSON.parse(ran.stdout).tables[0].rows;
    };
    const both = async () => [await run(copyOut), await run(rowsOut, "--no-binary-copy")];
    assert.deepEqual(await both(), [300, 300]);
    await sql.unsafe(`UPDATE ${table} SET value = -value, tags = NULL,
                      updated_at = '2026-01-01 00:00:00.000001+00' WHERE id % 10 = 0`);
    assert.deepEqual(await both(), [30, 30], "10% of the rows changed");
    assert.deepEqual(await both(), [0, 0]);
    const copyMark = await latestWatermark(copyOut, "readings");
    assert.deepEqual(copyMark, await latestWatermark(rowsOut, "readings"));
    assert.equal(copyMark?.key?.id, "300");
    assert.equal(copyMark?.value, "2026-01-01T00:00:00.000001Z");
    assert.deepEqual(await readCommitted(copyOut, "readings"), await readCommitted(rowsOut, "readings"));
  } finally {
    await schema.drop();
    await sql.end();
  }
});

/**
 * The binary COPY export, checked against the row path's: the same content read back by hyparquet and
 * DuckDB, the same manifests, progress, a failing sink, unconstrained and NaN numerics.
 *
 * Why one file: every test runs the COPY export on the same tables (`createTables`) and compares what it
 * wrote with the row path's (`comparable`, `fileOf`, `contentSum`); split, the halves would share all of
 * that setup and each be half of one comparison.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readParquet } from "../mod.ts";
import { SinkError } from "../write.ts";
import { listManifests } from "../batch.ts";
import { connectPostgres } from "../src/postgres/connect.ts";
import { normalizeDecimalText } from "../src/schema/values.ts";
import type { TableProgress } from "../src/export/export_options.ts";
import { exportTables } from "../src/export/export_tables.ts";
import { progressLine } from "../src/cli/progress.ts";
import { runCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

/** The test database under an application_name of its own, to find the export's backend. */
function tagged(tag: string): { url: string; name: string } {
  const name = `${tag}_${crypto.randomUUID().slice(0, 8)}`;
  return { url: `${DATABASE_URL}${DATABASE_URL.includes("?") ? "&" : "?"}application_name=${name}`, name };
}

/** Every type the COPY path reads, NULLs in every nullable column, edge values in the first rows. */
async function createTables(sql: ReturnType<typeof connect>, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await sql.unsafe(`CREATE TYPE ${s}.mood AS ENUM ('sad', 'ok', 'happy')`);
  await sql.unsafe(`CREATE TABLE ${s}.every_type (
    id int PRIMARY KEY, u uuid, t text, e ${s}.mood, sm smallint, b bigint, r real, f float8, ok boolean,
    d date, ts timestamp, tstz timestamptz, j jsonb, n82 numeric(8,2), n306 numeric(30,6), nfree numeric,
    req text NOT NULL)`);
  await sql.unsafe(`INSERT INTO ${s}.every_type VALUES
    (1, 'ffffffff-ffff-ffff-ffff-ffffffffffff', '', 'sad', -32768, -9223372036854775808, -3.25, -0.0, false,
     '0001-01-01', '1900-01-01 00:00:00.000001', '1970-01-01 00:00:00+00', '[]', -999999.99,
     -123456789012345678901234.567891, -0.000000000123, 'é ü 漢字 🙂'),
    (2, '00000000-0000-0000-0000-000000000000', 'x', 'happy', 32767, 9223372036854775807, 1e30, 1e300, true,
     '2999-12-31', '2262-04-11 23:47:16.854775', '2262-04-11 23:47:16.854775+00', '{"a b": "x, y: z"}',
     999999.99, 0.000001, 12345678901234567890.5, ''),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'nulls')`);
  await sql.unsafe(`INSERT INTO ${s}.every_type SELECT g,
    CASE WHEN g % 7 <> 0 THEN md5(g::text)::uuid END,
    CASE WHEN g % 5 <> 0 THEN 'text ' || g || repeat(' é漢', g % 4) END,
    CASE WHEN g % 4 <> 0 THEN (ARRAY['sad', 'ok', 'happy'])[g % 3 + 1]::${s}.mood END,
    CASE WHEN g % 6 <> 0 THEN (g % 65535 - 32767)::smallint END,
    CASE WHEN g % 8 <> 0 THEN g::bigint * -1000000007 END,
    CASE WHEN g % 9 <> 0 THEN (g / 7.0)::real END,
    CASE WHEN g % 10 <> 0 THEN g * 1.5e10 / 7 END,
    CASE g % 3 WHEN 1 THEN true WHEN 2 THEN false END,
    CASE WHEN g % 11 <> 0 THEN '2000-01-01'::date + (g % 20000 - 10000) END,
    CASE WHEN g % 12 <> 0 THEN '2001-02-03 04:05:06.789012'::timestamp + g * interval '1 minute 1.000001 second' END,
    CASE WHEN g % 13 <> 0 THEN '1969-12-31 23:59:59.5+00'::timestamptz - g * interval '1 hour 0.000007 second' END,
    CASE WHEN g % 14 <> 0 THEN jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g % 3), 's', 'x"y\\z') END,
    CASE WHEN g % 15 <> 0 THEN (g % 100000 - 50000) / 100.0 END,
    CASE WHEN g % 16 <> 0 THEN g * -123456.123456 END,
    CASE WHEN g % 17 <> 0 THEN g / 7.0 END,
    'r' || g
    FROM generate_series(4, 3000) g`);
  // Large enough for several row groups and a COPY that runs a while; md5 text hardly compresses.
  await sql.unsafe(`CREATE TABLE ${s}.logs AS SELECT g AS id, md5(g::text) AS a, md5((-g)::text) AS b,
                    now() - g * interval '1 second' AS at FROM generate_series(1, 300000) g`);
  // An array: read row by row even when binary COPY is on.
  await sql.unsafe(`CREATE TABLE ${s}.tagged (id int PRIMARY KEY, tags text[])`);
  await sql.unsafe(`INSERT INTO ${s}.tagged VALUES (1, '{a,b}'), (2, NULL), (3, '{}')`);
}

const TABLES = ["every_type", "logs", "tagged"];

async function fileOf(out: string, table: string): Promise<string> {
  const files = (await allFiles(join(out, table))).filter((f) => f.endsWith(".parquet"));
  assert.equal(files.length, 1, `one file of ${table}`);
  return join(out, table, files[0]);
}

function byId(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return Number(a.id) - Number(b.id);
}

/**
 * Rows in id order, the unconstrained numeric `nfree` in the row path's canonical text. KNOWN
 * DIFFERENCE: the COPY path stores PostgreSQL's display text (`2989 / 7.0` as "427.0000000000000000"),
 * the row path strips trailing zeros ("427"); see the ignored test at the end, to enable once the COPY
 * statement or its field writer normalises.
 */
function comparable(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.sort(byId).map((row) =>
    typeof row.nfree === "string" ? { ...row, nfree: normalizeDecimalText(row.nfree) } : row
  );
}

/** SHA-256 of a file's rows as read back, in id order. */
async function contentSum(file: string): Promise<string> {
  const rows = comparable(await readParquet(file));
  const text = JSON.stringify(rows, (_, value) => typeof value === "bigint" ? `${value}n` : value);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("binary COPY export reads back, in hyparquet and in DuckDB, as --no-binary-copy's does", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "export_copy");
  try {
    await createTables(sql, schema.name);
    const outs: Record<string, string> = {};
    const seen: Record<string, Set<string>> = {};
    for (const [path, flags] of [["copy", []], ["rows", ["--no-binary-copy"]]] as const) {
      const out = outs[path] = await tempDir();
      const db = tagged(`export_copy_${path}`);
      const args = ["--schema", schema.name, "--out", out, "--row-group-size", "7000", "--json", ...flags];
      const running = runCli("export", args, { env: { DATABASE_URL: db.url } });
      // What the export's backend runs, sampled while it runs.
      const queries = seen[path] = new Set();
      let done = false;
      running.finally(() => done = true);
      while (!done) {
        const active = await sql`SELECT query FROM pg_stat_activity WHERE application_name = ${db.name}`;
        for (const { query } of active) queries.add(String(query).trim().split(/\s+/)[0].toUpperCase());
        await new Promise((r) => setTimeout(r, 5));
      }
      const ran = await running;
      assert.equal(ran.code, 0, ran.stderr);
      const summary = JSON.parse(ran.stdout);
      assert.deepEqual(
        summary.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]),
        [["every_type", 3000], ["logs", 300000], ["tagged", 3]],
      );
    }
    assert.ok(seen.copy.has("COPY"), `the default export reads through COPY: ${[...seen.copy]}`);
    assert.ok(!seen.rows.has("COPY"), `--no-binary-copy does not: ${[...seen.rows]}`);

    for (const table of TABLES) {
      const [copyFile, rowFile] = [await fileOf(outs.copy, table), await fileOf(outs.rows, table)];
      const [copyRows, rowRows] = [
        comparable(await readParquet(copyFile)),
        comparable(await readParquet(rowFile)),
      ];
      assert.equal(copyRows.length, rowRows.length, table);
      assert.deepEqual(copyRows, rowRows, `hyparquet reads ${table} alike`);
      const duck = async (file: string) =>
        comparable(await duckdbRows(`SELECT * FROM read_parquet(${sqlString(file)}) ORDER BY id`));
      assert.deepEqual(await duck(copyFile), await duck(rowFile), `DuckDB reads ${table} alike`);
    }
    // And both as PostgreSQL has the values (text forms compared in DuckDB).
    const [pg] = await sql.unsafe(`SELECT count(*)::text AS n, count(u)::text AS u, count(e)::text AS e,
      sum(sm)::text AS sm, sum(b)::text AS b, sum(n82)::text AS n82, sum(n306)::text AS n306,
      count(j)::text AS j, max(tstz) = '2262-04-11 23:47:16.854775+00' AS tstz FROM "${schema.name}".every_type`);
    const [duck] = await duckdbRows(`SELECT count(*)::VARCHAR AS n, count(u)::VARCHAR AS u,
      count(e)::VARCHAR AS e, sum(sm)::VARCHAR AS sm, sum(b)::VARCHAR AS b, sum(n82)::VARCHAR AS n82,
      sum(n306)::VARCHAR AS n306, count(j)::VARCHAR AS j,
      max(tstz) = '2262-04-11 23:47:16.854775+00'::TIMESTAMPTZ AS tstz
      FROM read_parquet(${sqlString(await fileOf(outs.copy, "every_type"))})`);
    assert.deepEqual(duck, { ...pg });
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("binaryCopy true and false: the same manifest row counts and the same content, every type with NULLs", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "export_copy_api");
  const client = connectPostgres({ url: DATABASE_URL, max: 1 });
  try {
    await createTables(sql, schema.name);
    const results = [];
    for (const binaryCopy of [true, false]) {
      const out = await tempDir();
      const progress: TableProgress[] = [];
      const summary = await exportTables(client, {
        out,
        schema: schema.name,
        tables: ["every_type", "tagged"],
        rowGroupSize: 500,
        binaryCopy,
        onProgress: (p) => progress.push(p),
      });
      const [manifest] = await listManifests(out);
      const tables = [];
      for (const entry of manifest.tables) {
        const file = join(out, entry.files[0].path);
        tables.push({
          name: entry.name,
          rows: entry.files.map((f) => f.rows),
          content: await contentSum(file),
        });
      }
      const done = progress.filter((p) => p.done);
      assert.deepEqual(done.map((p) => [p.table, p.rows]), [["every_type", 3000], ["tagged", 3]]);
      assert.ok(done.every((p) => p.bytes! > 0), "the last report of a table has its bytes");
      assert.deepEqual(summary.tables.map((t) => t.rows), [3000, 3]);
      results.push(tables);
    }
    assert.deepEqual(results[0], results[1]);
  } finally {
    await client.end();
    await schema.drop();
    await sql.end();
  }
});

Deno.test("binary COPY: progress is reported while a table is written, and once done with its bytes", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "export_copy_progress");
  const client = connectPostgres({ url: DATABASE_URL, max: 1 });
  try {
    await createTables(sql, schema.name);
    const progress: TableProgress[] = [];
    await exportTables(client, {
      out: await tempDir(),
      schema: schema.name,
      tables: ["logs"],
      rowGroupSize: 5000,
      onProgress: (p) => progress.push(p),
    });
    const last = progress.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.rows, 300000);
    assert.ok(last.bytes! > 300000 * 64, `the file's bytes: ${last.bytes}`);
    const live = progress.filter((p) => !p.done);
    // Reports come every 250 ms: a table written in more than half a second has one at least.
    if (last.seconds > 0.5) assert.ok(live.length >= 1, `live reports in ${last.seconds} s`);
    for (let i = 1; i < live.length; i++) {
      assert.ok(live[i].rows >= live[i - 1].rows && live[i].seconds > live[i - 1].seconds);
    }
    assert.ok(
      live.every((p) => p.rows <= 300000 && p.rows % 5000 === 0),
      `whole row groups, as written: ${live.map((p) => p.rows)}`,
    );
    // Bytes too, as they reach the sink, while the table is written (the CLI's line shows them).
    const withBytes = live.filter((p) => p.rows > 0);
    assert.ok(
      withBytes.every((p) => p.bytes! > 0 && p.bytes! <= last.bytes!),
      `${withBytes.map((p) => p.bytes)}`,
    );
    for (let i = 1; i < live.length; i++) assert.ok(live[i].bytes! >= live[i - 1].bytes!);
    if (withBytes.length) {
      assert.match(progressLine(withBytes[0]), /^logs: [\d,]+ rows, [\d,]+ rows\/s, [\d.]+ (KiB|MiB)$/);
    }
  } finally {
    await client.end();
    await schema.drop();
    await sql.end();
  }
});

Deno.test("binary COPY: a sink failing mid-COPY rejects naming the table, and leaves the connection usable", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "export_copy_sink");
  const db = tagged("export_copy_sink");
  const client = connectPostgres({ url: db.url, max: 1 });
  try {
    await createTables(sql, schema.name);
    const out = await tempDir();
    // A file where the table's folder should be: the sink cannot create its temporary file.
    await Deno.writeTextFile(join(out, "logs"), "in the way");
    const started = performance.now();
    await assert.rejects(
      exportTables(client, { out, schema: schema.name, tables: ["every_type", "logs"] }),
      (error: unknown) => error instanceof SinkError && error.table === "logs",
    );
    assert.equal((await listManifests(out)).length, 0, "no batch committed");
    assert.deepEqual((await allFiles(out)).filter((f) => !f.startsWith("every_type")), ["logs"]);
    // The same connection (the pool has one) answers at once: the COPY was cancelled and read to its
    // end, the transaction rolled back; a late cancel would fail this query instead.
    const [{ one }] = await client`SELECT 1 AS one`;
    assert.equal(one, 1);
    const busy = await sql`SELECT state, query FROM pg_stat_activity WHERE application_name = ${db.name}`;
    assert.deepEqual(busy.map((b) => b.state), ["idle"], JSON.stringify(busy));
    // And the next export on it succeeds.
    const retry = await exportTables(client, { out: await tempDir(), schema: schema.name, tables: ["logs"] });
    assert.equal(retry.tables[0].rows, 300000);
    assert.ok(performance.now() - started < 60_000);
  } finally {
    await client.end();
    await schema.drop();
    await sql.end();
  }
});

Deno.test({
  name: "binary COPY: an unconstrained numeric has the row path's text (trailing zeros dropped)",
  async fn() {
    const sql = connect();
    const schema = await testSchema(sql, "export_copy_numeric");
    const client = connectPostgres({ url: DATABASE_URL, max: 1 });
    try {
      await sql.unsafe(`CREATE TABLE "${schema.name}".n (id int PRIMARY KEY, v numeric)`);
      await sql.unsafe(`INSERT INTO "${schema.name}".n VALUES (1, 2989 / 7.0), (2, 1.50), (3, -0.0)`);
      const values = [];
      for (const binaryCopy of [true, false]) {
        const out = await tempDir();
        await exportTables(client, { out, schema: schema.name, binaryCopy });
        values.push((await readParquet(await fileOf(out, "n"))).sort(byId).map((r) => r.v));
      }
      assert.deepEqual(values[0], values[1]);
    } finally {
      await client.end();
      await schema.drop();
      await sql.end();
    }
  },
});

Deno.test({
  name: "binary COPY: a NaN numeric is refused naming table, row and column, and nothing is committed",
  async fn() {
    const sql = connect();
    const schema = await testSchema(sql, "export_copy_nan");
    const client = connectPostgres({ url: DATABASE_URL, max: 1 });
    try {
      await sql.unsafe(`CREATE TABLE "${schema.name}".n (id int PRIMARY KEY, v numeric)`);
      await sql.unsafe(`INSERT INTO "${schema.name}".n VALUES (1, 1.5), (2, 'NaN')`);
      const out = await tempDir();
      const error = await exportTables(client, { out, schema: schema.name }).then(() => undefined, (e) => e);
      assert.equal(error?.name, "ValidationError", String(error));
      assert.deepEqual([error.table, error.row, error.column], ["n", 2, "v"]);
      assert.match(error.message, /NaN/);
      assert.deepEqual(await listManifests(out), []);
      assert.deepEqual((await allFiles(out)).filter((f) => f.endsWith(".tmp")), []);
    } finally {
      await client.end();
      await schema.drop();
      await sql.end();
    }
  },
});

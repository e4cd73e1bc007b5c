// `deno task export --query 'SELECT …' --name N`: a query exported in the same run, snapshot and batch as
// the tables, through binary COPY where its columns allow, read back by hyparquet and DuckDB.

import assert from "node:assert/strict";
import { join } from "node:path";
import { readParquet } from "../mod.ts";
import { runCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const env = { DATABASE_URL };

async function parquetFiles(dir: string): Promise<string[]> {
  return (await allFiles(dir)).filter((f) => f.endsWith(".parquet")).map((f) => join(dir, f));
}

async function manifests(
  out: string,
): Promise<{ tables: { name: string; files: { path: string; rows: number }[] }[] }[]> {
  const dir = join(out, "_manifests");
  const names = await allFiles(dir).catch(() => []);
  return await Promise.all(names.map(async (n) => JSON.parse(await Deno.readTextFile(join(dir, n)))));
}

Deno.test("--query --name: the query's rows in the tables' batch, types kept, read back by hyparquet and DuckDB", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_query");
  const s = `"${schema.name}"`;
  try {
    await sql.unsafe(
      `CREATE TABLE ${s}.holes (id int PRIMARY KEY, depth numeric(8,2) NOT NULL, site varchar(20),
                      drilled timestamptz, tags text[])`,
    );
    await sql.unsafe(
      `INSERT INTO ${s}.holes SELECT g, g * 1.25, CASE WHEN g % 5 = 0 THEN NULL ELSE 'site ' || (g % 3) END,
                      timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour', ARRAY['a', 'b' || g]
                      FROM generate_series(1, 500) g`,
    );
    const out = await tempDir();
    const query = `SELECT id, depth, site, drilled, depth * 2 AS twice FROM ${s}.holes WHERE depth > 300;`;
    const ran = await runCli("export", [
      "--schema",
      schema.name,
      "--tables",
      "holes",
      "--query",
      query,
      "--name",
      "deep holes",
      "--out",
      out,
      "--json",
    ], { env });
    assert.equal(ran.code, 0, ran.stderr);
    const summary = JSON.parse(ran.stdout);
    assert.deepEqual(summary.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]), [
      ["holes", 500],
      ["deep holes", 260],
    ]);
    const [manifest] = await manifests(out);
    assert.deepEqual(manifest.tables.map((t) => t.name), ["holes", "deep holes"], "one batch, one manifest");
    const [file] = await parquetFiles(join(out, "deep%20holes"));
    const rows = await readParquet(file);
    assert.equal(rows.length, 260);
    const expected = await sql.unsafe(
      `SELECT id, depth::text AS depth, site, drilled, (depth * 2)::text AS twice FROM ${s}.holes WHERE depth > 300 ORDER BY id`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const row of expected) {
      const got = byId.get(row.id)!;
      assert.equal(got.depth, row.depth, "numeric(8,2) from the table keeps its scale");
      assert.equal(got.site, row.site);
      assert.equal(
        Number(got.twice),
        Number(row.twice),
        "a computed numeric is exact text, without trailing zeros",
      );
      assert.equal(got.twice, String(row.twice).replace(/\.?0+$/, ""));
      assert.equal(new Date(got.drilled as string).getTime(), (row.drilled as Date).getTime());
    }
    const duck = await duckdbRows(
      `SELECT count(*)::int AS n, sum(depth)::double AS depth, count(site)::int AS sites,
              typeof(any_value(depth)) AS type FROM read_parquet(${sqlString(file)})`,
    );
    const [pg] = await sql.unsafe(
      `SELECT count(*)::int AS n, sum(depth)::float8 AS depth, count(site)::int AS sites FROM ${s}.holes WHERE depth > 300`,
    );
    assert.deepEqual(duck, [{ ...pg, type: "DECIMAL(8,2)" }]);

    // An array column goes the row path; the rows are the same.
    const arrays = await runCli("export", [
      "--schema",
      schema.name,
      "--query",
      `SELECT id, tags FROM ${s}.holes WHERE id <= 3 ORDER BY id`,
      "--name",
      "tagged",
      "--out",
      out,
    ], { env });
    assert.equal(arrays.code, 0, arrays.stderr);
    const [tagged] = await parquetFiles(join(out, "tagged"));
    assert.deepEqual(await readParquet(tagged), [
      { id: 1, tags: ["a", "b1"] },
      { id: 2, tags: ["a", "b2"] },
      { id: 3, tags: ["a", "b3"] },
    ]);
    assert.equal((await manifests(out)).length, 2, "a query alone exports no table");
    assert.deepEqual(
      (await manifests(out)).map((m) => m.tables.map((t) => t.name)).sort(),
      [["holes", "deep holes"], [
        "tagged",
      ]].sort(),
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("--query reads in the run's snapshot: the one its manifest records", async () => {
  const out = await tempDir();
  const ran = await runCli("export", [
    "--query",
    "SELECT pg_current_snapshot()::text AS seen, txid_current_if_assigned() AS writes",
    "--name",
    "moment",
    "--out",
    out,
  ], { env });
  assert.equal(ran.code, 0, ran.stderr);
  const [manifest] = await manifests(out) as unknown as { snapshot: string }[];
  const [file] = await parquetFiles(join(out, "moment"));
  assert.deepEqual(await readParquet(file), [{ seen: manifest.snapshot, writes: null }]);
});

Deno.test("--query: bad SQL, duplicate columns, a taken name and a writing statement fail naming the query", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "cli_query_bad");
  const s = `"${schema.name}"`;
  try {
    await sql.unsafe(`CREATE TABLE ${s}.holes (id int PRIMARY KEY)`);
    await sql.unsafe(`INSERT INTO ${s}.holes VALUES (1), (2)`);
    // An extension's type other than PostGIS's and citext: no column kind maps it (every built-in, PostGIS
    // and composite type has one). A parallel test file may create the extension too.
    await sql`CREATE EXTENSION IF NOT EXISTS hstore`.catch(() => {});
    const out = await tempDir();
    const cases: [string, RegExp][] = [
      [
        "SELEC id FROM holes",
        /export failed: Cannot export query q: syntax error at or near "SELEC" \(table q\)/,
      ],
      [`SELECT id FROM ${s}.nope`, /Cannot export query q: relation .*nope" does not exist/],
      [`SELECT id, id FROM ${s}.holes`, /Cannot export query q: two result columns are named id/],
      [
        `SELECT 1 AS a; SELECT 2 AS b`,
        /Cannot export query q: cannot insert multiple commands into a prepared statement/,
      ],
      [
        `DELETE FROM ${s}.holes RETURNING id`,
        /Cannot export query q: syntax error at or near "FROM" \(a query is read as a subquery/,
      ],
      [`SELECT 'a=>1'::hstore AS span`, /hstore.*\(table q, column span\)/],
    ];
    for (const [query, message] of cases) {
      const ran = await runCli("export", [
        "--schema",
        schema.name,
        "--tables",
        "holes",
        "--query",
        query,
        "--name",
        "q",
        "--out",
        out,
      ], {
        env,
      });
      assert.equal(ran.code, 1, `${query}: ${ran.stderr}`);
      assert.match(ran.stderr, message, query);
      assert.match(ran.stderr, /No batch was committed/);
    }
    assert.deepEqual(await manifests(out), []);
    const [{ count }] = await sql.unsafe(`SELECT count(*)::int AS count FROM ${s}.holes`);
    assert.equal(count, 2, "the DELETE did not run");
    const taken = await runCli("export", [
      "--schema",
      schema.name,
      "--tables",
      "holes",
      "--query",
      "SELECT 1 AS n",
      "--name",
      "holes",
      "--out",
      out,
    ], {
      env,
    });
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /^export: --name holes is also in --tables/);
    const dry = await runCli("export", [
      "--schema",
      schema.name,
      "--query",
      "SELECT id, id * 2 AS twice FROM " + s + ".holes",
      "--name",
      "q",
      "--out",
      out,
      "--dry-run",
      "--json",
    ], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(
      JSON.parse(dry.stdout).tables.map((
        t: { table: string; columns: unknown[] },
      ) => [t.table, t.columns.length]),
      [[
        "q",
        2,
      ]],
    );
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("--query with --special-values: null reads NaN and infinity as NULL; the default refuses them naming the column", async () => {
  const out = await tempDir();
  const query = "SELECT 1 AS id, 'NaN'::numeric AS ratio, 'infinity'::date AS until";
  const nulls = await runCli("export", [
    "--query",
    query,
    "--name",
    "odd",
    "--out",
    out,
    "--special-values",
    "null",
  ], {
    env,
  });
  assert.equal(nulls.code, 0, nulls.stderr);
  const [file] = await parquetFiles(join(out, "odd"));
  assert.deepEqual(await readParquet(file), [{ id: 1, ratio: null, until: null }]);
  const refused = await runCli("export", ["--query", query, "--name", "odd", "--out", out], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /\(table odd, row 1, column (ratio|until)\)/);
});

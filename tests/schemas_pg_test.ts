/** The borehole platform's 29 tables in PostgreSQL: seeded, no drift, a round trip through Parquet, then drift found. */

import assert from "node:assert/strict";
import { join } from "node:path";
import * as v from "valibot";
import { EncodeStream, readParquet, type TableDefinition, ValidateStream } from "../mod.ts";
import { checkDrift, selectList } from "../postgres.ts";
import { listSchemas } from "../platform.ts";
import { platformRows } from "../platform/seed/generate.ts";
import { main as checkMain } from "../src/cli/schemas_check.ts";
import { seedDatabase } from "../src/cli/seed.ts";
import { pointColumnNames } from "../src/schema/parquet_schema.ts";
import type { Row } from "../src/schema/table.ts";
import { LocalFileSink } from "../src/sinks/local_sink.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { quiet } from "./helpers/quiet.ts";

Deno.test("the 29 tables in PostgreSQL: seed, no drift, round trip through Parquet, then drift found", async (t) => {
  const sql = connect();
  const schema = await testSchema(sql, "platform");
  const query = catalogQuery(sql);
  try {
    const { counts } = await seedDatabase(sql, { rows: 20, seed: 7, schema: schema.name });
    const expected = Object.groupBy(platformRows({ rows: 20, seed: 7 }), (r) => r.table);

    await t.step("seeded every table with the generated rows, consistently", async () => {
      for (const table of listSchemas()) {
        assert.equal(counts[table.name], expected[table.name]!.length, table.name);
        assert.ok(counts[table.name] > 0, table.name);
      }
      const [checks] = await inSchema(schema.name, (tx) =>
        tx.unsafe(`SELECT
          (SELECT count(*) FROM (SELECT depth_from_m, lag(depth_to_m) OVER (PARTITION BY borelog_id ORDER BY layer_no) AS prev
             FROM stratum_layers) s WHERE prev IS DISTINCT FROM depth_from_m AND prev IS NOT NULL)::int AS gaps,
          (SELECT count(*) FROM stratum_sample_points p JOIN stratum_layers l ON l.id = p.stratum_layer_id
            WHERE p.depth_m < l.depth_from_m OR p.depth_m >= l.depth_to_m)::int AS strays,
          (SELECT count(*) FROM (SELECT report_id FROM lab_report_versions GROUP BY 1 HAVING count(*) > 1) r)::int AS multi`));
      assert.equal(checks.gaps, 0);
      assert.equal(checks.strays, 0);
      assert.ok(checks.multi > 1, "several lab reports have several versions");
    });

    await t.step("no drift, and schemas:check agrees", async () => {
      assert.deepEqual(await checkDrift(query, listSchemas(), { schema: schema.name }), []);
      const out = await quiet(() => checkMain(["--db", DATABASE_URL, "--schema", schema.name]));
      assert.equal(out.result, 0, out.stderr);
      assert.match(out.stderr, /no drift: 29 table\(s\)/);
    });

    await t.step("seeding again needs --reset, and gives the same data", async () => {
      await assert.rejects(seedDatabase(sql, { rows: 20, seed: 7, schema: schema.name }), /pass reset/);
      const digest = () =>
        inSchema(
          schema.name,
          (tx) => tx.unsafe(`SELECT md5(string_agg(t::text, '|' ORDER BY id)) AS d FROM notifications t`),
        );
      const before = await digest();
      await seedDatabase(sql, { rows: 20, seed: 7, schema: schema.name, reset: true });
      assert.deepEqual(await digest(), before);
    });

    const dir = await tempDir();
    for (const table of listSchemas()) {
      await t.step(
        `${table.name}: PostgreSQL → validate → encode → file → readParquet and DuckDB`,
        async () => {
          const rows = await inSchema(
            schema.name,
            (tx) =>
              tx.unsafe(
                `SELECT ${selectList(table)} FROM ${table.name} ORDER BY ${table.primaryKey.join(", ")}`,
              ),
          );
          const valid = rows.map((row) => v.parse(table, row));
          // What PostgreSQL returned is exactly what was generated.
          assert.deepEqual(valid, sortByKey(table, expected[table.name]!.map((r) => r.row)));
          const path = join(dir, `${table.name}.parquet`);
          await ReadableStream.from(rows).pipeThrough(new ValidateStream(table)).pipeThrough(
            new EncodeStream(table),
          )
            .pipeTo(new LocalFileSink(path));
          assert.deepEqual(await readParquet(path), valid.map((row) => asFloat32(table, row)));
          const [pg] = await inSchema(schema.name, (tx) => tx.unsafe(aggregates(table, "pg", table.name)));
          const [duck] = await duckdbRows(aggregates(table, "duckdb", `read_parquet(${sqlString(path)})`));
          assert.deepEqual(duck, { ...pg }, table.name);
          assert.equal(pg.a0, String(valid.length));
        },
      );
    }

    await t.step("an ALTERed database shows its drift", async () => {
      await inSchema(schema.name, (tx) =>
        tx.unsafe(`
        ALTER TABLE borehole ALTER COLUMN ground_level_m TYPE numeric(10,3);
        ALTER TABLE stratum_layers ALTER COLUMN description DROP NOT NULL;
        ALTER TABLE users ALTER COLUMN phone TYPE text[][] USING ARRAY[ARRAY[phone]];
        ALTER TABLE contacts DROP COLUMN job_title;
        ALTER TABLE notifications ADD COLUMN channel text;
        ALTER TABLE customers ALTER COLUMN name TYPE varchar(200);
        ALTER TABLE project_members DROP CONSTRAINT project_members_pkey;
        ALTER TYPE upload_status ADD VALUE 'quarantined';
        DROP TABLE borelog_images;`));
      const drift = await checkDrift(query, listSchemas(), { schema: schema.name });
      assert.deepEqual(drift.map((d) => d.message).sort(), [
        "borehole.ground_level_m: type numeric(8,3) expected, found numeric(10,3)",
        `borelog_images: table missing in ${schema.name}`,
        "contacts.job_title: column missing",
        "notifications.channel: extra column of type text",
        "pending_csv_uploads.status: type upload_status (pending, validated, failed, imported, discarded) expected, " +
        "found upload_status (pending, validated, failed, imported, discarded, quarantined)",
        "project_members: primary key (project_id, user_id) expected, found ()",
        "stratum_layers.description: NOT NULL expected, found nullable",
        "users.phone: type text expected, found text[][] (no column kind)",
      ]);
      const out = await quiet(() => checkMain(["--db", DATABASE_URL, "--schema", schema.name]));
      assert.equal(out.result, 1);
      assert.match(out.stdout, /^stratum_layers\.description: NOT NULL expected, found nullable$/m);
      assert.match(out.stderr, /8 difference\(s\) in 8 of 29 table\(s\)/);
      const json = await quiet(() =>
        checkMain(["--db", DATABASE_URL, "--schema", schema.name, "--json", "--table", "users"])
      );
      assert.equal(json.result, 1);
      assert.deepEqual(JSON.parse(json.stdout).drift.map((d: { kind: string }) => d.kind), ["type"]);
    });
  } finally {
    await schema.drop();
    await sql.end();
  }

  function inSchema<T>(name: string, run: (tx: import("postgres").TransactionSql) => Promise<T>): Promise<T> {
    return sql.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL search_path TO "${name}", public`);
      return await run(tx);
    }) as Promise<T>;
  }
});

/** Per-table aggregates both engines can compute, as text: count, non-null counts, sums, time ranges. */
function aggregates(table: TableDefinition, engine: "pg" | "duckdb", from: string): string {
  const pg = engine === "pg";
  const exprs = ["count(*)"];
  for (const [name, { spec }] of Object.entries(table.columns)) {
    const col = `"${spec.kind === "point" && !pg ? pointColumnNames(table, name)[0] : name}"`;
    exprs.push(`count(${col})`);
    if (spec.kind === "numeric" && spec.precision === undefined) {
      exprs.push(pg ? `sum(${col})::numeric(38,18)` : `sum(CAST(${col} AS DECIMAL(38,18)))`);
    } else if (["numeric", "smallint", "int", "bigint"].includes(spec.kind)) exprs.push(`sum(${col})`);
    else if (spec.kind === "date") exprs.push(`min(${col})`, `max(${col})`);
    else if (spec.kind === "timestamp" || spec.kind === "timestamptz") {
      for (const f of ["min", "max"]) {
        exprs.push(pg ? `(extract(epoch from ${f}(${col})) * 1000000)::bigint` : `epoch_us(${f}(${col}))`);
      }
    }
  }
  const cast = (e: string) => pg ? `(${e})::text` : `CAST(${e} AS VARCHAR)`;
  return `SELECT ${exprs.map((e, i) => `${cast(e)} AS a${i}`).join(", ")} FROM ${from}`;
}

/** Parquet FLOAT keeps 32 bits: a `real` comes back as the nearest float32. */
function asFloat32(table: TableDefinition, row: Row): Row {
  const out = { ...row };
  for (const [name, { spec }] of Object.entries(table.columns)) {
    if (spec.kind === "real" && typeof out[name] === "number") out[name] = Math.fround(out[name] as number);
  }
  return out;
}

function sortByKey(table: TableDefinition, rows: Row[]): Row[] {
  const key = (row: Row) => table.primaryKey.map((k) => row[k]);
  return rows.toSorted((a, b) => {
    for (const [x, y] of key(a).map((x, i) => [x, key(b)[i]])) {
      if (x !== y) return (x as string | bigint) < (y as string | bigint) ? -1 : 1;
    }
    return 0;
  });
}

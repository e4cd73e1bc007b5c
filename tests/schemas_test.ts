import assert from "node:assert/strict";
import { join } from "node:path";
import * as v from "valibot";
import {
  defineTable,
  EncodeStream,
  int,
  numeric,
  readParquet,
  SchemaError,
  type TableDefinition,
  text,
  ValidateStream,
} from "../mod.ts";
import { checkDrift, compareTable, selectList } from "../postgres.ts";
import { getSchema, listSchemas, SCHEMA_GROUPS, type SchemaGroup } from "../platform.ts";
import { platformRows, tableRows } from "../platform/seed/generate.ts";
import { REGIONS } from "../platform/seed/vocabulary.ts";
import { main as checkMain } from "../src/cli/schemas_check.ts";
import { main as seedMain, seedDatabase } from "../src/cli/seed.ts";
import { pointColumnNames } from "../src/schema/parquet_schema.ts";
import type { Row } from "../src/schema/table.ts";
import { LocalFileSink } from "../src/sinks/local_sink.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";

const here = (path: string) => new URL(path, import.meta.url);

Deno.test("registry: 29 tables in six groups, in the DDL's order, listed in platform/README.md", async () => {
  const names = listSchemas().map((t) => t.name);
  assert.equal(names.length, 29);
  assert.equal(new Set(names).size, 29);
  assert.deepEqual(Object.values(SCHEMA_GROUPS).flat(), names);
  for (
    const name of [
      "boreloge",
      "borelog_details",
      "stratum_layers",
      "unified_lab_reports",
      "pending_csv_uploads",
    ]
  ) {
    assert.equal(getSchema(name).name, name);
  }
  assert.deepEqual(listSchemas("stratum").map((t) => t.name), ["stratum_layers", "stratum_sample_points"]);
  for (const table of listSchemas()) {
    assert.ok(table.primaryKey.length, `${table.name} has a primary key`);
    assert.ok(table.watermark, `${table.name} has a watermark`);
  }
  const ddl = await Deno.readTextFile(here("../platform/ddl.sql"));
  assert.deepEqual([...ddl.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]), names);
  const readme = await Deno.readTextFile(here("../platform/README.md"));
  assert.deepEqual([...readme.matchAll(/^- `(\w+)`: /gm)].map((m) => m[1]), names);
});

Deno.test("registry: unknown names and groups are SchemaErrors naming what exists", () => {
  assert.throws(
    () => getSchema("boreholes"),
    (e) => e instanceof SchemaError && /borehole, boreloge/.test(e.message),
  );
  assert.throws(() => getSchema("toString"), SchemaError);
  assert.throws(
    () => listSchemas("labs" as SchemaGroup),
    (e) => e instanceof SchemaError && /lab_reports/.test(e.message),
  );
});

Deno.test("sample data: every row is valid, every table has rows, the same seed gives the same rows", () => {
  const counts: Record<string, number> = {};
  for (const { table, row } of platformRows({ rows: 2 })) {
    counts[table] = (counts[table] ?? 0) + 1;
    v.parse(getSchema(table), row);
  }
  assert.deepEqual(Object.keys(counts), listSchemas().map((t) => t.name));
  for (const { table, row } of platformRows({ rows: 20, seed: 42 })) v.parse(getSchema(table), row);
  assert.deepEqual([...tableRows("stratum_layers", { rows: 5, seed: 3 })], [
    ...tableRows("stratum_layers", { rows: 5, seed: 3 }),
  ]);
  assert.notDeepEqual([...tableRows("borehole", { rows: 5, seed: 3 })], [
    ...tableRows("borehole", { rows: 5, seed: 4 }),
  ]);
  assert.throws(
    () => platformRows({ rows: 0 }).next(),
    /rows must be a positive integer: current value is 0/,
  );
  assert.throws(() => tableRows("nope"), /not a platform table/);
});

Deno.test("sample data: boreholes on land in their regions, layers touching and increasing, samples inside layers", () => {
  const boreholes = [...tableRows("borehole", { rows: 60 })];
  for (const { location } of boreholes) {
    const { latitude, longitude } = location as { latitude: number; longitude: number };
    assert.ok(
      REGIONS.some(({ box: [s, w, n, e] }) => latitude > s && latitude < n && longitude > w && longitude < e),
      `${latitude}, ${longitude} is in a region`,
    );
  }
  const layers = [...tableRows("stratum_layers", { rows: 60 })];
  const byLog = Map.groupBy(layers, (l) => l.borelog_id as string);
  for (const log of byLog.values()) {
    assert.equal(log[0].depth_from_m, "0.00");
    log.forEach((layer, i) => {
      assert.ok(Number(layer.depth_to_m) > Number(layer.depth_from_m));
      if (i) assert.equal(layer.depth_from_m, log[i - 1].depth_to_m);
    });
  }
  const layerById = new Map(layers.map((l) => [l.id, l]));
  for (const sample of tableRows("stratum_sample_points", { rows: 60 })) {
    const layer = layerById.get(sample.stratum_layer_id)!;
    assert.ok(
      Number(sample.depth_m) >= Number(layer.depth_from_m) &&
        Number(sample.depth_m) < Number(layer.depth_to_m),
    );
  }
  assert.ok(
    layers.some((l) => /[^ -~]/.test(l.description as string)),
    "some descriptions are not ASCII",
  );
});

Deno.test("compareTable: type, nullability, missing and extra columns, primary key, missing table", () => {
  const table = defineTable("t", { id: int(), depth: numeric(7, 2), note: text() }, { primaryKey: ["id"] });
  const drift = compareTable(table, [
    { name: "id", pgType: "integer", nullable: false, column: int() },
    { name: "depth", pgType: "numeric(8,2)", nullable: true, column: numeric(8, 2) },
    { name: "extra", pgType: "interval", nullable: true, column: undefined },
  ]);
  assert.deepEqual(drift.map((d) => d.message), [
    "t.depth: type numeric(7,2) expected, found numeric(8,2)",
    "t.depth: NOT NULL expected, found nullable",
    "t.note: column missing",
    "t.extra: extra column of type interval",
    "t: primary key (id) expected, found ()",
  ]);
  assert.deepEqual(compareTable(table, []).map((d) => d.kind), ["missing_table"]);
});

Deno.test("CLIs: --help, and bad usage exits 2", async () => {
  const out = await quiet(async () => [
    await seedMain(["--help"]),
    await seedMain(["--rows", "0"]),
    await seedMain(["--seed", "x"]),
    await seedMain(["--bogus"]),
    await checkMain(["--help"]),
    await checkMain(["--table", "nope"]),
    await checkMain(["positional"]),
  ]);
  assert.deepEqual(out.result, [0, 2, 2, 2, 0, 2, 2]);
  assert.match(out.stdout, /Usage: deno task seed/);
  assert.match(out.stderr, /--rows must be a positive integer: current value is 0/);
  assert.match(out.stderr, /Cannot find a table definition named "nope"/);
});

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

/** Runs `fn` with console output captured. */
async function quiet<T>(fn: () => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  const { log, error } = console;
  let stdout = "", stderr = "";
  console.log = (...args: unknown[]) => void (stdout += args.join(" ") + "\n");
  console.error = (...args: unknown[]) => void (stderr += args.join(" ") + "\n");
  try {
    return { result: await fn(), stdout, stderr };
  } finally {
    Object.assign(console, { log, error });
  }
}

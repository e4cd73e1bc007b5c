/** The borehole platform's tables: the registry, the sample data, compareTable and the CLIs' usage. */

import assert from "node:assert/strict";
import * as v from "valibot";
import { defineTable, int, numeric, SchemaError, text } from "../mod.ts";
import { compareTable } from "../postgres.ts";
import { getSchema, listSchemas, SCHEMA_GROUPS, type SchemaGroup } from "../platform.ts";
import { platformRows, tableRows } from "../platform/seed/generate.ts";
import { REGIONS } from "../platform/seed/vocabulary.ts";
import { main as checkMain } from "../src/cli/schemas_check.ts";
import { main as seedMain } from "../src/cli/seed.ts";
import { quiet } from "./helpers/quiet.ts";

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

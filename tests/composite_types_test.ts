/**
 * Composite types (a user's `CREATE TYPE … AS (…)`, one nested in another, a domain over one, PostGIS
 * topology's `topogeometry`) and their arrays export with no flag, through both doors, as STRING holding
 * PostgreSQL's canonical text, which PostgreSQL casts back; PostGIS's `raster` as its canonical text too.
 * A fresh database, so that the topology and raster extensions touch no other test's.
 *
 * @module
 */

import assert from "node:assert/strict";
import postgres from "postgres";
import { defineTable, int, readParquet, text } from "../mod.ts";
import { checkDrift, copyBinarySupports, exportTables } from "../postgres.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, DATABASE_URL } from "./helpers/pg.ts";

const SETUP = `
CREATE EXTENSION postgis; CREATE EXTENSION postgis_topology; CREATE EXTENSION postgis_raster;
CREATE TYPE pair AS (a int, b text);
CREATE TYPE outer_pair AS (p pair, n numeric, at timestamptz);
CREATE DOMAIN positive_pair AS pair CHECK ((VALUE).a > 0);
CREATE TABLE shapes (id int PRIMARY KEY, p pair, o outer_pair, d positive_pair, r raster);
SELECT topology.CreateTopology('topo_t', 4326);
SELECT topology.AddTopoGeometryColumn('topo_t', 'public', 'shapes', 'tg', 'POINT');
INSERT INTO shapes VALUES
  (1, '(1,"x, \\"y\\"")', ROW(ROW(-2, NULL), 1.50, '2026-01-01 00:00+00'), '(3,z)',
   ST_AddBand(ST_MakeEmptyRaster(2, 2, 0, 0, 1, -1, 0, 0, 4326), '8BUI'::text, 7)),
  (2, '(,)', ROW(NULL, NULL, NULL), NULL, NULL), (3, NULL, NULL, NULL, NULL);
UPDATE shapes SET tg = topology.toTopoGeom('SRID=4326;POINT(1 2)'::geometry, 'topo_t', 1) WHERE id = 1;
CREATE TABLE shape_arrays (id int PRIMARY KEY, pa pair[], tga topology.topogeometry[]);
INSERT INTO shape_arrays SELECT s.id, CASE s.id WHEN 1 THEN ARRAY[s.p, NULL, '(,)'] WHEN 2 THEN '{}' END,
  CASE WHEN s.id = 1 THEN ARRAY[s.tg] END FROM shapes s;`;

const TEXT_COLUMNS = { shapes: ["p", "o", "d", "r", "tg"], shape_arrays: ["pa", "tga"] };

Deno.test("composite types, their arrays, topogeometry and raster export with no flag as canonical text", async () => {
  const admin = connect({ max: 1 });
  const name = `composite_${crypto.randomUUID().slice(0, 8)}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.href, { max: 2, onnotice: () => {} });
  try {
    await sql.unsafe(SETUP);
    for (const [table, columns] of Object.entries(TEXT_COLUMNS)) {
      const definition = await introspectTable(catalogQuery(sql), table);
      for (const column of columns) {
        const { spec } = definition.columns[column];
        assert.equal(spec.element?.kind ?? spec.kind, "text", `${table}.${column}`);
      }
      if (table === "shapes") assert.ok(copyBinarySupports(definition), "the scalars through binary COPY");
      const pg = await postgresText(sql, table, columns);
      for (const binaryCopy of [true, false]) {
        const door = `${table} (${binaryCopy ? "COPY" : "rows"})`;
        const summary = await exportTables(sql, { out: await tempDir(), tables: [table], binaryCopy });
        assert.deepEqual(summary.asText ?? [], [], door);
        const location = summary.tables[0].location;
        const rows = (await readParquet(location)).sort((a, b) => Number(a.id) - Number(b.id));
        assert.deepEqual(rows, pg, door);
        const duck = await duckdbRows(
          `SELECT * FROM read_parquet(${sqlString(location)}) ORDER BY id`,
        );
        assert.deepEqual(duck, pg, `${door} in DuckDB`);
        const types = await duckdbRows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(location)})`);
        for (const c of types.filter((t) => columns.includes(String(t.column_name)))) {
          assert.equal(
            c.column_type,
            table === "shapes" ? "VARCHAR" : "VARCHAR[]",
            `${door} ${c.column_name}`,
          );
        }
      }
      // The text PostgreSQL gave is its own: it casts back, to a value that prints the same (compared as
      // text: topogeometry's = is ambiguous, raster's compares only bounding boxes).
      for (const column of columns) {
        const [{ same }] = await sql.unsafe(
          `SELECT bool_and(${column}::text::${
            typeOf(table, column)
          }::text IS NOT DISTINCT FROM ${column}::text)
             AS same FROM ${table}`,
        );
        assert.equal(same, true, `${table}.${column}`);
      }
    }
    assert.equal(
      (await postgresText(sql, "shapes", ["tg"]))[0].tg,
      "(1,1,1,1)",
      "topology id, layer id, element id, type",
    );

    // Drift: the owner declares them text(); another kind is drift.
    const declared = defineTable("shapes", {
      id: int(),
      ...Object.fromEntries(TEXT_COLUMNS.shapes.map((c) => [c, text().nullable()])),
    }, { primaryKey: ["id"] });
    const query = catalogQuery(sql);
    assert.deepEqual(await checkDrift(query, [declared]), []);
    const wrong = defineTable("shapes", { ...declared.columns, p: int().nullable() }, { primaryKey: ["id"] });
    assert.deepEqual((await checkDrift(query, [wrong])).map((d) => d.column), ["p"]);
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});

/**
 * Each row as PostgreSQL's output functions print it (`format('%s')`), arrays element by element; not
 * `IS NULL`, which a composite of NULL fields (`(,)`) is.
 */
async function postgresText(sql: postgres.Sql, table: string, columns: string[]) {
  const own = (e: string) => `CASE WHEN ${e} IS NOT DISTINCT FROM NULL THEN NULL ELSE format('%s', ${e}) END`;
  const list = columns.map((c) =>
    table === "shapes"
      ? `${own(c)} AS ${c}`
      : `CASE WHEN ${c} IS NULL THEN NULL ELSE (SELECT coalesce(jsonb_agg(${own("e")} ORDER BY i), '[]')
          FROM unnest(${c}) WITH ORDINALITY u(e, i)) END AS ${c}`
  );
  const rows = await sql.unsafe(`SELECT id, ${list.join(", ")} FROM ${table} ORDER BY id`);
  return rows.map((row) => ({ ...row }));
}

function typeOf(table: string, column: string): string {
  if (table === "shape_arrays") return column === "pa" ? "pair[]" : "topology.topogeometry[]";
  return ({ p: "pair", o: "outer_pair", d: "positive_pair", r: "raster", tg: "topology.topogeometry" })[
    column
  ]!;
}

/**
 * Every PostgreSQL and PostGIS type a real database holds exports natively typed, with no flag: one
 * table of them all (NULLs and edge values included), through the binary COPY door and the row door,
 * read back equal by readParquet and by DuckDB, with GeoParquet 1.1 metadata. `deno task export` of such a
 * database: tests/cli_every_type_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readDataset, readParquet } from "../mod.ts";
import { readMetadata } from "../src/read/read_parquet.ts";
import { copyBinarySupports, exportTables } from "../postgres.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { geoParquetProblems } from "./helpers/geoparquet.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { bytes, expected, GEOMETRY_COLUMNS, SHAPES, withTable } from "./helpers/every_type.ts";

Deno.test("every type exports natively through both doors, equal in readParquet and DuckDB", async () => {
  await withTable(async (sql, schema) => {
    const want = await expected(sql, schema);
    const read: Record<string, unknown>[][] = [];
    for (const binaryCopy of [true, false]) {
      const out = await tempDir();
      const summary = await exportTables(sql, { out, schema, tables: ["every_type"], binaryCopy });
      const location = summary.tables[0].location;
      const rows = (await readParquet(location)).sort((a, b) => Number(a.id) - Number(b.id));
      read.push(rows);
      assert.equal(rows.length, want.length);
      rows.forEach((row, i) => {
        const pg = want[i];
        const where = `row ${pg.id}, ${binaryCopy ? "COPY" : "rows"}`;
        for (const name of ["b", ...GEOMETRY_COLUMNS]) {
          if (pg[name] !== null) assert.ok(row[name] instanceof Uint8Array, `${name} is bytes (${where})`);
          assert.equal(bytes(row[name]), bytes(pg[name]), `${name} (${where})`);
        }
        for (
          const name of [
            "iv",
            "m",
            "ip",
            "net",
            "mac",
            "x",
            "tsv",
            "o",
            "ci",
            "bits",
            "vb",
            "r",
            "tr",
            "c",
            "n",
          ]
        ) {
          assert.equal(row[name], pg[name], `${name} (${where})`);
        }
      });
      const time = ["00:00:00.000000", "24:00:00.000000", "12:34:56.789000", "23:59:59.999999"];
      const zoned = ["00:00:00.000000Z", "23:00:00.000000Z", "04:59:59.999999Z", "06:30:00.500000Z"];
      assert.deepEqual(rows.map((r) => r.t), [...want.slice(0, -1).map((r) => time[Number(r.id) % 4]), null]);
      assert.deepEqual(rows.map((r) => r.tz), [
        ...want.slice(0, -1).map((r) => zoned[Number(r.id) % 4]),
        null,
      ]);
      assert.equal(rows[0].c, "ab   ", "char(5) keeps its padding");
      assert.equal(rows[0].b instanceof Uint8Array && rows[0].b.length, 0, "empty bytea");
      assert.equal((rows[1].b as Uint8Array).length, 1024 * 1024, "1 MiB bytea");

      // GeoParquet 1.1: required fields, types and box of what was written, CRS by SRID.
      const metadata = await readMetadata(location);
      const element = Object.fromEntries(metadata.schema.map((e) => [e.name, e]));
      assert.deepEqual(element.t.logical_type, { type: "TIME", isAdjustedToUTC: false, unit: "MICROS" });
      assert.deepEqual(element.tz.logical_type, { type: "TIME", isAdjustedToUTC: true, unit: "MICROS" });
      assert.deepEqual(element.m.logical_type, { type: "DECIMAL", precision: 19, scale: 2 });
      assert.deepEqual([element.b.type, element.b.logical_type, element.b.converted_type], [
        "BYTE_ARRAY",
        undefined,
        undefined,
      ]);
      // Geometries: plain BYTE_ARRAY that hyparquet, reading the geo key as GeoParquet, marks as such.
      for (const name of GEOMETRY_COLUMNS) {
        const geography = name.startsWith("geog");
        assert.deepEqual(
          [element[name].type, element[name].converted_type, element[name].logical_type?.type],
          [
            "BYTE_ARRAY",
            undefined,
            geography ? "GEOGRAPHY" : "GEOMETRY",
          ],
          name,
        );
      }
      const geo = JSON.parse(metadata.key_value_metadata!.find((kv) => kv.key === "geo")!.value!);
      assert.deepEqual(geoParquetProblems(geo), []);
      assert.equal(geo.primary_column, "g4326");
      assert.deepEqual(Object.keys(geo.columns), GEOMETRY_COLUMNS);
      const everyKind = [
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
      ];
      for (const name of ["g4326", "g3857", "geoga"]) {
        assert.deepEqual(geo.columns[name].geometry_types, everyKind, name);
      }
      for (const name of ["gz4326", "gz3857"]) {
        assert.deepEqual(geo.columns[name].geometry_types, everyKind.map((type) => `${type} Z`), name);
      }
      assert.deepEqual(geo.columns.gz4326.bbox, [-100, -9, 1, 20, 50, 7], "a 3-D box: z from 1 to 7");
      assert.equal(geo.columns.gz3857.bbox.length, 6);
      assert.deepEqual(geo.columns.g4326.bbox, [-100, -9, 20, 50]);
      assert.deepEqual(geo.columns.geoga.bbox, [-100, -9, 20, 50]);
      assert.equal(geo.columns.g4326.crs.id.code, 4326);
      assert.equal(geo.columns.g3857.crs.id.code, 3857);
      assert.equal(geo.columns.g3857.crs.type, "ProjectedCRS");
      assert.ok(geo.columns.g3857.bbox[0] < -11e6 && geo.columns.g3857.bbox[3] > 6e6, "3857 box in metres");
      assert.deepEqual(geo.columns.poly.geometry_types, ["Polygon"]);
      assert.equal(geo.columns.geog.edges, "spherical");
      assert.equal(geo.columns.geoga.edges, "spherical");
      assert.equal(geo.columns.geoga.crs.id.code, 4326);
      assert.equal(geo.columns.g4326.edges, undefined, "planar");
      assert.equal(geo.columns.loose.crs, null);
      assert.deepEqual(geo.columns.loose.geometry_types, [], "M shapes: types not known to GeoParquet");
      assert.deepEqual(geo.columns.loose.bbox, [0, 0, 3, 4]);
      // Points other than 2-D WGS 84 ones are WKB too, in their own CRS: never reprojected to latitudes.
      assert.deepEqual(geo.columns.p3857.geometry_types, ["Point"]);
      assert.equal(geo.columns.p3857.crs.id.code, 3857);
      assert.deepEqual(geo.columns.pz4326.geometry_types, ["Point Z"]);
      assert.deepEqual(geo.columns.pz4326.bbox, [1, 50, -SHAPES.length, SHAPES.length, 50, -1]);

      // DuckDB: BLOB, TIME, TIME WITH TIME ZONE, DECIMAL, and every WKB value read as a geometry (its
      // text and its WKB as PostGIS gives them).
      const geometries = GEOMETRY_COLUMNS.map((c) =>
        `typeof(${c}) AS ${c}_type, ST_AsText(${c}) AS ${c}_wkt, hex(ST_AsWKB(${c})) AS ${c}_wkb`
      );
      const duck = await duckdbRows(`SELECT id, typeof(b) AS b_type, hex(b) AS b, typeof(t) AS t_type,
        t::VARCHAR AS t, typeof(tz) AS tz_type, tz::VARCHAR AS tz, typeof(m) AS m_type, m::VARCHAR AS m, iv,
        ${geometries.join(", ")}, c, ip
        FROM read_parquet(${sqlString(location)}) ORDER BY id`);
      assert.equal(duck.length, want.length);
      duck.forEach((row, i) => {
        const pg = want[i];
        const where = `row ${pg.id}, ${binaryCopy ? "COPY" : "rows"}`;
        assert.equal(row.b_type, "BLOB");
        assert.equal(row.t_type, "TIME");
        assert.equal(row.tz_type, "TIME WITH TIME ZONE");
        assert.equal(row.m_type, "DECIMAL(19,2)");
        assert.equal(row.b, pg.b === null ? null : hexOf(pg.b), where);
        assert.equal(row.t, pg.t_text, where);
        assert.equal(row.tz, pg.id === 99 ? null : zonedDuck[Number(pg.id) % 4], where);
        for (const name of GEOMETRY_COLUMNS) {
          const crs = name.endsWith("3857") ? 3857 : name === "loose" ? undefined : 4326;
          assert.match(
            String(row[`${name}_type`]),
            crs ? new RegExp(`^GEOMETRY\\('\\{.*"code":${crs}\\}\\}'\\)$`) : /^GEOMETRY$/,
            `DuckDB sees ${name} as a GeoParquet geometry`,
          );
          assert.equal(row[`${name}_wkb`], pg[name] === null ? null : hexOf(pg[name]), `${name} (${where})`);
          assert.equal(wkt(row[`${name}_wkt`]), wkt(pg[`${name}_wkt`]), `${name} (${where})`);
        }
        assert.equal(row.m, pg.m);
        assert.equal(row.iv, pg.iv);
        assert.equal(row.c, pg.c);
        assert.equal(row.ip, pg.ip);
      });
      assert.equal(duck[0].g4326_wkt, "POINT (1 2)");
      assert.equal(duck[0].t, "24:00:00");
      assert.equal(duck[1].b, "AB".repeat(1024 * 1024), "1 MiB BLOB");
      assert.equal(duck[0].b, "", "empty BLOB");
    }
    assert.deepEqual(read[1], read[0], "the row door reads what the COPY door reads");
    const parallel = await exportTables(sql, {
      out: await tempDir(),
      schema,
      tables: ["every_type"],
      jobs: 2,
    });
    const jobs = (await readDataset(parallel.tables[0].location)).sort((a, b) => Number(a.id) - Number(b.id));
    assert.deepEqual(jobs, read[0], "a parallel run (jobs: 2) reads the same");
    const files = parallel.tables[0].files > 1 ? await allFiles(parallel.tables[0].location) : [];
    for (const file of files.filter((f) => f.endsWith(".parquet"))) {
      const footer = (await readMetadata(`${parallel.tables[0].location}/${file}`)).key_value_metadata;
      assert.deepEqual(
        geoParquetProblems(JSON.parse(footer!.find((kv) => kv.key === "geo")!.value!)),
        [],
        file,
      );
    }
    const catalog = (text: string, params: unknown[]) => sql.unsafe(text, params as never[]);
    assert.ok(copyBinarySupports(await introspectTable(catalog, "every_type", { schema })), "COPY door");
  });
});

Deno.test("arrays of the new kinds and unconstrained numeric arrays export exact, through both doors", async () => {
  await withTable(async (sql, schema) => {
    const [wkb] = await sql.unsafe(`SELECT ST_AsBinary('POINT(1 2)'::geometry) AS point,
      ST_AsBinary('LINESTRING EMPTY'::geometry) AS empty, ST_AsBinary('POINT(-1.5 53.8)'::geometry) AS place`);
    const catalog = (text: string, params: unknown[]) => sql.unsafe(text, params as never[]);
    // geo_arrays (a view of those whose elements binary COPY reads) takes the COPY door.
    assert.ok(copyBinarySupports(await introspectTable(catalog, "geo_arrays", { schema })));
    for (const table of ["numeric_arrays", "geo_arrays"]) {
      for (const binaryCopy of [true, false]) {
        const where = `${table}, ${binaryCopy ? "COPY" : "rows"}`;
        const summary = await exportTables(sql, {
          out: await tempDir(),
          schema,
          tables: [table],
          binaryCopy,
        });
        const rows = (await readParquet(summary.tables[0].location)).sort((a, b) =>
          Number(a.id) - Number(b.id)
        );
        if (table === "numeric_arrays") {
          assert.deepEqual(rows.map((r) => r.na), [["1.5", null, "2.25"], [], null]);
          assert.deepEqual(rows.map((r) => r.ia), [["P1DT2H", null, "P-1M"], [], null]);
          assert.deepEqual(rows.map((r) => r.ipa), [["1.2.3.4"], [], null]);
          // PostgreSQL's point[] as its text, as its other geometric types.
          assert.deepEqual(rows.map((r) => r.pa), [["(1,2)", null], [], null]);
        }
        assert.deepEqual(rows.map((r) => r.ma), [["1.50"], [], null], where);
        assert.deepEqual(rows.map((r) => r.ba), [[new Uint8Array([1]), null], [], null], where);
        assert.deepEqual(rows.map((r) => r.ta), [["24:00:00.000000"], [], null], where);
        // Arrays of geometries: LISTs of ISO WKB, as ST_AsBinary gives each, NULL elements kept.
        assert.deepEqual(rows.map((r) => r.ga), [
          [wkb.point, null, wkb.empty].map((b) => b && new Uint8Array(b)),
          [],
          null,
        ], where);
        assert.deepEqual(rows.map((r) => r.gpa), [[new Uint8Array(wkb.place)], [], null], where);
        const [duck] = await duckdbRows(`SELECT typeof(ga) AS t, hex(ga[1]) AS first
          FROM read_parquet(${sqlString(summary.tables[0].location)}) ORDER BY id LIMIT 1`);
        assert.deepEqual(duck, { t: "BLOB[]", first: hexOf(wkb.point) }, where);
      }
    }
  });
});

/** DuckDB's time with time zone text of the four timetz values, by id % 4 (UTC, as stored). */
const zonedDuck = ["00:00:00+00", "23:00:00+00", "04:59:59.999999+00", "06:30:00.5+00"];

/**
 * WKT with PostGIS's and DuckDB's spellings made alike: `POINT(1 2)` and `POINT (1 2)`,
 * `MULTIPOINT((1 1),(-3 7))` and `MULTIPOINT (1 1, -3 7)`.
 */
function wkt(value: unknown): string | null {
  if (value == null) return null;
  const spaced = String(value).replace(/\s*\(\s*/g, "(").replace(/\s*,\s*/g, ",");
  return spaced.replace(/([(,])\(([^(),]+)\)/g, "$1$2");
}

function hexOf(value: unknown): string {
  return [...(value as Uint8Array)].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

Deno.test("introspection maps every built-in and PostGIS type: no unmappedAsText needed", async () => {
  await withTable(async (sql, schema) => {
    const table = await introspectTable((text, params) => sql.unsafe(text, params as never[]), "every_type", {
      schema,
    });
    const kinds = Object.fromEntries(Object.entries(table.columns).map(([name, c]) => [name, c.spec.kind]));
    const expected = {
      int: "id",
      bytea: "b",
      geometry: GEOMETRY_COLUMNS.join(" "),
      time: "t",
      timetz: "tz",
      interval: "iv",
      numeric: "m n",
      text: "ip net mac x tsv o ci bits vb r tr c",
    };
    const want = Object.entries(expected).flatMap(([kind, names]) => names.split(" ").map((n) => [n, kind]));
    assert.deepEqual(Object.entries(kinds).sort(), want.sort());
    assert.deepEqual([table.columns.m.spec.precision, table.columns.m.spec.scale], [19, 2]);
    assert.equal(table.columns.g3857.spec.srid, 3857);
    assert.equal(table.columns.geog.spec.geography, true);
  });
});

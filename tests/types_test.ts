/**
 * Every PostgreSQL and PostGIS type a real database holds exports natively typed, with no flag: one
 * table of them all (NULLs and edge values included), through the binary COPY door and the row door,
 * read back equal by readParquet and by DuckDB, with GeoParquet 1.1 metadata.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  bytea,
  defineTable,
  geometry,
  int,
  interval,
  readParquet,
  time,
  timetz,
  ValidationError,
  writeParquet,
} from "../mod.ts";
import { readMetadata } from "../src/read/read_parquet.ts";
import { connectPostgres, copyBinarySupports, exportTables } from "../postgres.ts";
import { runCli } from "./helpers/cli.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { geoParquetProblems } from "./helpers/geoparquet.ts";
import { DATABASE_URL, ensurePostgis } from "./helpers/pg.ts";
import { introspectTable } from "../src/postgres/introspect.ts";

const SHAPES = [
  "POINT(1 2)",
  "LINESTRING(0 0, 10 -5, 20 5)",
  "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))",
  "MULTIPOINT((1 1), (-3 7))",
  "MULTILINESTRING((0 0, 1 1), (2 2, 3 -9))",
  "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
  "GEOMETRYCOLLECTION(POINT(-100 50), LINESTRING(0 0, 1 1))",
  "POINT EMPTY",
  "POLYGON EMPTY",
  "GEOMETRYCOLLECTION EMPTY",
];

const TABLE = `
CREATE TABLE every_type (
  id int PRIMARY KEY,
  b bytea, g4326 geometry(Geometry,4326), g3857 geometry(Geometry,3857), poly geometry(Polygon,4326),
  geog geography(LineString,4326), loose geometry,
  t time, tz timetz, iv interval, m money, ip inet, net cidr, mac macaddr, x xml, tsv tsvector, o oid,
  ci citext, bits bit(4), vb varbit, r int4range, tr tstzrange, c char(5), n numeric
);
CREATE TABLE numeric_arrays (id int PRIMARY KEY, na numeric[], ia interval[], ma money[], ba bytea[],
  ta time[], ipa inet[]);
INSERT INTO numeric_arrays VALUES
  (1, ARRAY[1.5, NULL, 2.25]::numeric[], ARRAY['1 day 02:00', NULL, '-1 mon']::interval[], ARRAY[1.5]::money[],
   ARRAY['\\x01', NULL]::bytea[], ARRAY['24:00']::time[], ARRAY['1.2.3.4']::inet[]),
  (2, '{}', '{}', '{}', '{}', '{}', '{}'), (3, NULL, NULL, NULL, NULL, NULL, NULL)`;

/** The rows, as SQL literals: every shape in both SRIDs, empties, edge values, then all NULLs. */
function inserts(): string {
  const rows = SHAPES.map((shape, i) => {
    const id = i + 1;
    const edge = id === 1;
    return `(${id}, ${
      edge
        ? "''::bytea"
        : id === 2
        ? "decode(repeat('ab', 1048576), 'hex')"
        : `'\\x00ff${id.toString(16).padStart(2, "0")}'`
    },
      ST_GeomFromText('${shape}', 4326), ST_Transform(ST_GeomFromText('${shape}', 4326), 3857),
      ${shape.startsWith("POLYGON") ? `ST_GeomFromText('${shape}', 4326)` : "NULL"},
      ${id === 2 ? "'LINESTRING(-1 50, 2 51)'" : "NULL"}, ${
      id === 3 ? "ST_GeomFromText('POINT(3 4)')" : "NULL"
    },
      '${["00:00:00", "24:00:00", "12:34:56.789", "23:59:59.999999"][id % 4]}',
      '${["00:00:00+00", "01:00:00+02", "23:59:59.999999-05", "12:00:00.5+05:30"][id % 4]}',
      '${
      [
        "-1 mon -2 days -03:00:00.000001",
        "1 mon 40 days 25:00:00.5",
        "-1 year 2 mons",
        "0",
        "00:00:00.000001",
      ][
        id % 5
      ]
    }',
      ${id % 2 ? "'-92233720368547758.08'" : "'1234.56'"}, '192.168.0.${id}/24', '10.${id}.0.0/16',
      '08:00:2b:01:02:0${id % 10}', '<a id="${id}">x</a>', 'the fat cat ${id}', ${id * 1000},
      'MiXeD ${id}', B'1010', B'${"1".repeat(id)}', '[${id},${id + 5})', '[2026-01-01 00:00+00,)',
      'ab', ${id % 2 ? "'-0.000001'" : "'123456789012345678901234567890123456789.123456789'"})`;
  });
  rows.push(`(99${", NULL".repeat(23)})`);
  return `INSERT INTO every_type VALUES ${rows.join(",\n")}`;
}

async function withTable<T>(run: (sql: ReturnType<typeof connectPostgres>, schema: string) => Promise<T>) {
  const sql = connectPostgres({ url: DATABASE_URL, max: 2 });
  await ensurePostgis(sql as never);
  await sql`CREATE EXTENSION IF NOT EXISTS citext`.catch(() => {});
  const schema = `types_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql.unsafe(`CREATE SCHEMA ${schema}`);
    await sql.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL search_path TO ${schema}, public`);
      await tx.unsafe(TABLE);
      await tx.unsafe(inserts());
    });
    return await run(sql, schema);
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
}

/** What PostgreSQL itself says each row holds, in the forms rows carry. */
async function expected(sql: ReturnType<typeof connectPostgres>, schema: string) {
  return await sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL search_path TO ${schema}, public; SET LOCAL intervalstyle = iso_8601`);
    return await tx.unsafe(`SELECT id, b, ST_AsBinary(g4326) AS g4326, ST_AsBinary(g3857) AS g3857,
      ST_AsBinary(poly) AS poly, ST_AsBinary(geog) AS geog, ST_AsBinary(loose) AS loose, iv::text AS iv,
      m::numeric::text AS m, ip::text AS ip, net::text AS net, mac::text AS mac, x::text AS x,
      tsv::text AS tsv, o::text AS o, ci::text AS ci, bits::text AS bits, vb::text AS vb, r::text AS r,
      tr::text AS tr, textin(bpcharout(c)) AS c, n::text AS n FROM every_type ORDER BY id`);
  });
}

const bytes = (value: unknown) => value == null ? null : [...(value as Uint8Array)].join();

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
        for (const name of ["b", "g4326", "g3857", "poly", "geog", "loose"]) {
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
      const geo = JSON.parse(metadata.key_value_metadata!.find((kv) => kv.key === "geo")!.value!);
      assert.deepEqual(geoParquetProblems(geo), []);
      assert.equal(geo.primary_column, "g4326");
      assert.deepEqual(Object.keys(geo.columns), ["g4326", "g3857", "poly", "geog", "loose"]);
      assert.deepEqual(geo.columns.g4326.geometry_types, [
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
      ]);
      assert.deepEqual(geo.columns.g4326.bbox, [-100, -9, 20, 50]);
      assert.equal(geo.columns.g4326.crs.id.code, 4326);
      assert.equal(geo.columns.g3857.crs.id.code, 3857);
      assert.deepEqual(geo.columns.poly.geometry_types, ["Polygon"]);
      assert.equal(geo.columns.geog.edges, "spherical");
      assert.equal(geo.columns.loose.crs, null);

      const duck = await duckdbRows(`SELECT id, typeof(b) AS b_type, hex(b) AS b, typeof(t) AS t_type,
        t::VARCHAR AS t, typeof(tz) AS tz_type, typeof(m) AS m_type, m::VARCHAR AS m, iv,
        typeof(g4326) AS g_type, ST_AsText(g4326) AS g4326_text, hex(ST_AsWKB(g3857)) AS g3857, c, ip
        FROM read_parquet(${sqlString(location)}) ORDER BY id`);
      duck.forEach((row, i) => {
        const pg = want[i];
        assert.equal(row.b_type, "BLOB");
        assert.equal(row.t_type, "TIME");
        assert.equal(row.tz_type, "TIME WITH TIME ZONE");
        assert.equal(row.m_type, "DECIMAL(19,2)");
        assert.match(
          String(row.g_type),
          /^GEOMETRY\('\{.*"code":4326\}\}'\)$/,
          "DuckDB sees a GeoParquet geometry",
        );
        assert.equal(row.b, pg.b === null ? null : bytes(pg.b) === "" ? "" : hexOf(pg.b));
        assert.equal(row.g3857, pg.g3857 === null ? null : hexOf(pg.g3857));
        assert.equal(row.m, pg.m);
        assert.equal(row.iv, pg.iv);
        assert.equal(row.c, pg.c);
        assert.equal(row.ip, pg.ip);
      });
      assert.equal(duck[0].g4326_text, "POINT (1 2)");
      assert.equal(duck[2].g4326_text, "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))");
      assert.equal(duck[0].t, "24:00:00");
    }
    assert.deepEqual(read[1], read[0], "the row door reads what the COPY door reads");
    const catalog = (text: string, params: unknown[]) => sql.unsafe(text, params as never[]);
    assert.ok(copyBinarySupports(await introspectTable(catalog, "every_type", { schema })), "COPY door");
  });
});

Deno.test("arrays of the new kinds and unconstrained numeric arrays export exact", async () => {
  await withTable(async (sql, schema) => {
    const out = await tempDir();
    const summary = await exportTables(sql, { out, schema, tables: ["numeric_arrays"] });
    const rows = await readParquet(summary.tables[0].location);
    assert.deepEqual(rows.map((r) => r.na), [["1.5", null, "2.25"], [], null]);
    assert.deepEqual(rows.map((r) => r.ia), [["P1DT2H", null, "P-1M"], [], null]);
    assert.deepEqual(rows.map((r) => r.ma), [["1.50"], [], null]);
    assert.deepEqual(rows.map((r) => r.ba), [[new Uint8Array([1]), null], [], null]);
    assert.deepEqual(rows.map((r) => r.ta), [["24:00:00.000000"], [], null]);
    assert.deepEqual(rows.map((r) => r.ipa), [["1.2.3.4"], [], null]);
  });
});

function hexOf(value: unknown): string {
  return [...(value as Uint8Array)].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

Deno.test("introspection maps every built-in and PostGIS type: no unmappedAsText needed", async () => {
  await withTable(async (sql, schema) => {
    const table = await introspectTable((text, params) => sql.unsafe(text, params as never[]), "every_type", {
      schema,
    });
    const kinds = Object.fromEntries(Object.entries(table.columns).map(([name, c]) => [name, c.spec.kind]));
    assert.deepEqual(kinds, {
      id: "int",
      b: "bytea",
      g4326: "geometry",
      g3857: "geometry",
      poly: "geometry",
      geog: "geometry",
      loose: "geometry",
      t: "time",
      tz: "timetz",
      iv: "interval",
      m: "numeric",
      ip: "text",
      net: "text",
      mac: "text",
      x: "text",
      tsv: "text",
      o: "text",
      ci: "text",
      bits: "text",
      vb: "text",
      r: "text",
      tr: "text",
      c: "text",
      n: "numeric",
    });
    assert.deepEqual([table.columns.m.spec.precision, table.columns.m.spec.scale], [19, 2]);
    assert.equal(table.columns.g3857.spec.srid, 3857);
    assert.equal(table.columns.geog.spec.geography, true);
  });
});

Deno.test("deno task export of a database holding every type exits 0 with no flags", async () => {
  await withTable(async (_sql, schema) => {
    const out = await tempDir();
    const ran = await runCli("export", ["--schema", schema, "--out", out, "--json"], {
      env: { DATABASE_URL },
    });
    assert.equal(ran.code, 0, ran.stderr);
    const tables = JSON.parse(ran.stdout).tables;
    assert.deepEqual(tables.map((t: { table: string; rows: number }) => [t.table, t.rows]), [
      ["every_type", SHAPES.length + 1],
      ["numeric_arrays", 3],
    ]);
  });
});

Deno.test("--special-values: NaN and infinities fail naming table, row and column, or become NULL or text", async () => {
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
  const schema = `specials_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql.unsafe(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.specials (id int PRIMARY KEY, n numeric(8,2) NOT NULL, u numeric, d date,
        ts timestamp, tz timestamptz, fine date);
      INSERT INTO ${schema}.specials VALUES (1, 1.5, 2, '2026-01-02', '2026-01-02 03:04:05', '2026-01-02Z', '2026-01-01'),
        (2, 'NaN', 'NaN', 'infinity', '-infinity', 'infinity', '2026-01-01')`);
    for (const binaryCopy of [true, false]) {
      const door = binaryCopy ? "COPY" : "rows";
      const failed = await exportTables(sql, {
        out: await tempDir(),
        schema,
        tables: ["specials"],
        binaryCopy,
      })
        .catch((error) => error);
      assert.ok(failed instanceof Error, door);
      assert.equal((failed as { table?: string }).table, "specials", door);
      assert.equal((failed as { row?: number }).row, 2, door);
      // The first column whose value is refused: n by the COPY door; u (read as text) by the row door.
      assert.equal((failed as { column?: string }).column, binaryCopy ? "n" : "u", door);
      assert.match(failed.message, /--special-values null\|text/, door);

      const nulls = await exportTables(sql, {
        out: await tempDir(),
        schema,
        tables: ["specials"],
        binaryCopy,
        specialValues: "null",
      });
      assert.deepEqual(
        (await readParquet(nulls.tables[0].location)).sort((a, b) => Number(a.id) - Number(b.id)),
        [
          {
            id: 1,
            n: "1.50",
            u: "2",
            d: "2026-01-02",
            ts: "2026-01-02T03:04:05.000000",
            tz: "2026-01-02T00:00:00.000000Z",
            fine: "2026-01-01",
          },
          { id: 2, n: null, u: null, d: null, ts: null, tz: null, fine: "2026-01-01" },
        ],
        door,
      );

      const texts = await exportTables(sql, {
        out: await tempDir(),
        schema,
        tables: ["specials"],
        binaryCopy,
        specialValues: "text",
      });
      const rows = (await readParquet(texts.tables[0].location)).sort((a, b) => Number(a.id) - Number(b.id));
      assert.deepEqual(rows.map((r) => [r.n, r.u, r.d, r.ts, r.fine]), [
        ["1.50", "2", "2026-01-02", "2026-01-02T03:04:05", "2026-01-01"],
        ["NaN", "NaN", "infinity", "-infinity", "2026-01-01"],
      ], door);
      const [types] = await duckdbRows(`SELECT typeof(n) AS n, typeof(d) AS d, typeof(fine) AS fine
        FROM read_parquet(${sqlString(texts.tables[0].location)}) LIMIT 1`);
      assert.deepEqual(
        types,
        { n: "VARCHAR", d: "VARCHAR", fine: "DATE" },
        "only columns holding one are text",
      );
    }
    // A parallel run's workers read under the plan's choice too.
    const parallel = await exportTables(sql, {
      out: await tempDir(),
      schema,
      tables: ["specials"],
      jobs: 2,
      specialValues: "null",
    });
    const back = await readParquet(parallel.tables[0].location);
    assert.deepEqual(back.map((r) => r.d).sort(), ["2026-01-02", null].sort());
    const bad = await exportTables(sql, {
      out: await tempDir(),
      schema,
      tables: ["specials"],
      specialValues: "zero" as never,
    }).catch((error) => error);
    assert.match(bad.message, /specialValues must be one of error, null, text: current value is "zero"/);
    const cli = await runCli("export", [
      "--schema",
      schema,
      "--out",
      await tempDir(),
      "--special-values",
      "zero",
    ], {
      env: { DATABASE_URL },
    });
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /--special-values must be one of error, null, text: current value is zero/);
    const ok = await runCli("export", [
      "--schema",
      schema,
      "--out",
      await tempDir(),
      "--special-values",
      "null",
    ], {
      env: { DATABASE_URL },
    });
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
});

Deno.test("the new kinds refuse bad row values naming table, row and column, and round-trip good ones", async () => {
  const table = defineTable("kinds", {
    id: int(),
    b: bytea().nullable(),
    g: geometry({ srid: 3857 }).nullable(),
    t: time().nullable(),
    tz: timetz().nullable(),
    iv: interval().nullable(),
  });
  const point = new Uint8Array([1, 1, 0, 0, 0, ...new Uint8Array(new Float64Array([3, 4]).buffer)]);
  const good = { id: 1, b: "\\x00ff", g: point, t: "24:00", tz: "01:00:00.5-01:30", iv: "P1W" };
  const dir = await tempDir();
  const { location } = await writeParquet(dir, [good, {
    id: 2,
    b: null,
    g: null,
    t: null,
    tz: null,
    iv: null,
  }], {
    table,
  });
  assert.deepEqual((await readParquet(location))[0], {
    id: 1,
    b: new Uint8Array([0, 255]),
    g: point,
    t: "24:00:00.000000",
    tz: "02:30:00.500000Z",
    iv: "P7D",
  });
  const bad: [string, unknown, RegExp][] = [
    ["b", 12, /expected a Uint8Array/],
    ["g", new Uint8Array([1, 1, 0, 0]), /not a WKB geometry/],
    ["g", "POINT(1 2)", /expected WKB in a Uint8Array/],
    ["t", "25:00", /is not a time of day/],
    ["t", "12:00+02", /a time without time zone has no offset/],
    ["tz", "12:00", /needs an offset/],
    ["iv", "1 day", /expected an ISO-8601 duration/],
    ["iv", 5, /expected an ISO-8601 duration/],
  ];
  for (const [column, value, message] of bad) {
    const error = await writeParquet(await tempDir(), [good, { ...good, id: 2, [column]: value }], { table })
      .catch((e) => e);
    assert.ok(error instanceof ValidationError, `${column} ${String(value)}: ${error}`);
    assert.equal(error.table, "kinds");
    assert.equal(error.row, 2);
    assert.equal(error.column, column);
    assert.match(error.message, message);
  }
  const nulls = await writeParquet(await tempDir(), [{ ...good, t: null }], {
    table: defineTable("strict", { t: time() }),
  }).catch((e) => e);
  assert.ok(nulls instanceof ValidationError && nulls.column === "t", String(nulls));
});

Deno.test("bytea and geometry columns carry no min/max statistics (a 1 MiB value stays out of the footer)", async () => {
  const table = defineTable("blobs", { b: bytea(), g: geometry().nullable() });
  const { location, bytes } = await writeParquet(await tempDir(), [
    { b: new Uint8Array(1024 * 1024).fill(0xab), g: null },
    { b: new Uint8Array([0]), g: null },
  ], { table, codec: "ZSTD" });
  const metadata = await readMetadata(location);
  const stats = metadata.row_groups[0].columns.map((c) => c.meta_data?.statistics);
  assert.deepEqual(stats.map((s) => [s?.min_value, s?.max_value, s?.null_count]), [
    [undefined, undefined, 0n],
    [undefined, undefined, 2n],
  ]);
  assert.ok(bytes < 64 * 1024, `${bytes} bytes: the value is compressed once, not copied into the footer`);
});

Deno.test("unmappedAsText says which columns it made text, in one job and in parallel", async () => {
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
  const schema = `astext_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql.unsafe(`CREATE SCHEMA ${schema}; CREATE TYPE ${schema}.pair AS (a int, b text);
      CREATE TABLE ${schema}.pairs (id int PRIMARY KEY, p ${schema}.pair, t time);
      INSERT INTO ${schema}.pairs VALUES (1, '(1,x)', '01:02')`);
    const refused = await exportTables(sql, { out: await tempDir(), schema }).catch((e) => e);
    assert.match(refused.message, /Cannot map PostgreSQL type .*pair .*unmappedAsText/);
    assert.equal(refused.column, "p");
    for (const jobs of [1, 2]) {
      const summary = await exportTables(sql, { out: await tempDir(), schema, unmappedAsText: true, jobs });
      assert.deepEqual(
        summary.asText,
        [{ table: "pairs", column: "p", pgType: `${schema}.pair` }],
        `jobs ${jobs}`,
      );
      assert.deepEqual(await readParquet(summary.tables[0].location), [{
        id: 1,
        p: "(1,x)",
        t: "01:02:00.000000",
      }]);
    }
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  }
});

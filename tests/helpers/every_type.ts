/** A table of every PostgreSQL and PostGIS type (NULLs and edge values included), and what PostgreSQL says it holds. */

import { connectPostgres } from "../../postgres.ts";
import { DATABASE_URL, ensurePostgis } from "./pg.ts";

/** One row per shape: every kind, and every kind empty (the Z columns hold each with z = its row's id). */
export const SHAPES = [
  "POINT(1 2)",
  "LINESTRING(0 0, 10 -5, 20 5)",
  "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))",
  "MULTIPOINT((1 1), (-3 7))",
  "MULTILINESTRING((0 0, 1 1), (2 2, 3 -9))",
  "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
  "GEOMETRYCOLLECTION(POINT(-100 50), LINESTRING(0 0, 1 1), GEOMETRYCOLLECTION(POINT(7 8)))",
  "POINT EMPTY",
  "LINESTRING EMPTY",
  "POLYGON EMPTY",
  "MULTIPOINT EMPTY",
  "MULTILINESTRING EMPTY",
  "MULTIPOLYGON EMPTY",
  "GEOMETRYCOLLECTION EMPTY",
];

/** The untyped geometry column's values by row: M and ZM shapes, which GeoParquet has no type name for. */
const LOOSE: Record<number, string> = {
  3: "POINT(3 4)",
  4: "POINT ZM (1 2 3 4)",
  5: "LINESTRING M (0 0 1, 1 1 2)",
};

/** The geometry columns, in table order. */
export const GEOMETRY_COLUMNS = [
  "g4326",
  "g3857",
  "gz4326",
  "gz3857",
  "poly",
  "geog",
  "geoga",
  "loose",
  "p3857",
  "pz4326",
];

export const TABLE = `
CREATE TABLE every_type (
  id int PRIMARY KEY,
  b bytea, g4326 geometry(Geometry,4326), g3857 geometry(Geometry,3857), gz4326 geometry(GeometryZ,4326),
  gz3857 geometry(GeometryZ,3857), poly geometry(Polygon,4326),
  geog geography(LineString,4326), geoga geography, loose geometry,
  p3857 geometry(Point,3857), pz4326 geometry(PointZ,4326),
  t time, tz timetz, iv interval, m money, ip inet, net cidr, mac macaddr, x xml, tsv tsvector, o oid,
  ci citext, bits bit(4), vb varbit, r int4range, tr tstzrange, c char(5), n numeric
);
CREATE TABLE numeric_arrays (id int PRIMARY KEY, na numeric[], ia interval[], ma money[], ba bytea[],
  ta time[], ipa inet[], ga geometry(Geometry,4326)[], gpa geography(Point,4326)[], pa point[]);
INSERT INTO numeric_arrays VALUES
  (1, ARRAY[1.5, NULL, 2.25]::numeric[], ARRAY['1 day 02:00', NULL, '-1 mon']::interval[], ARRAY[1.5]::money[],
   ARRAY['\\x01', NULL]::bytea[], ARRAY['24:00']::time[], ARRAY['1.2.3.4']::inet[],
   ARRAY['SRID=4326;POINT(1 2)', NULL, 'SRID=4326;LINESTRING EMPTY']::geometry[],
   ARRAY['POINT(-1.5 53.8)']::geography[], ARRAY['(1,2)', NULL]::point[]),
  (2, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'), (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE VIEW geo_arrays AS SELECT id, ma, ba, ta, ga, gpa FROM numeric_arrays`;

/** The rows, as SQL literals: every shape in both SRIDs, empties, edge values, then all NULLs. */
export function inserts(): string {
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
      ST_Force3D(ST_GeomFromText('${shape}', 4326), ${id}),
      ST_Transform(ST_Force3D(ST_GeomFromText('${shape}', 4326), ${id}), 3857),
      ${/^POLYGON( EMPTY|\()/.test(shape) ? `ST_GeomFromText('${shape}', 4326)` : "NULL"},
      ${id === 2 ? "'LINESTRING(-1 50, 2 51)'" : "NULL"}, ST_GeogFromText('${shape}'),
      ${LOOSE[id] ? `ST_GeomFromText('${LOOSE[id]}')` : "NULL"},
      ST_Transform(ST_SetSRID(ST_MakePoint(${id}, 50), 4326), 3857), ST_SetSRID(ST_MakePoint(${id}, 50, -${id}), 4326),
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
  rows.push(`(99${", NULL".repeat(28)})`);
  return `INSERT INTO every_type VALUES ${rows.join(",\n")}`;
}

export async function withTable<T>(
  run: (sql: ReturnType<typeof connectPostgres>, schema: string) => Promise<T>,
) {
  const sql = connectPostgres({ url: DATABASE_URL, max: 3 });
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
export async function expected(sql: ReturnType<typeof connectPostgres>, schema: string) {
  return await sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL search_path TO ${schema}, public; SET LOCAL intervalstyle = iso_8601`);
    return await tx.unsafe(`SELECT id, b, ST_AsBinary(g4326) AS g4326, ST_AsBinary(g3857) AS g3857,
      ST_AsBinary(gz4326) AS gz4326, ST_AsBinary(gz3857) AS gz3857,
      ST_AsBinary(poly) AS poly, ST_AsBinary(geog) AS geog, ST_AsBinary(geoga) AS geoga,
      ST_AsBinary(loose) AS loose, ST_AsBinary(p3857) AS p3857, ST_AsBinary(pz4326) AS pz4326, ${
      GEOMETRY_COLUMNS.map((c) => `ST_AsText(${c}) AS ${c}_wkt`).join(", ")
    },
      t::text AS t_text, iv::text AS iv,
      m::numeric::text AS m, ip::text AS ip, net::text AS net, mac::text AS mac, x::text AS x,
      tsv::text AS tsv, o::text AS o, ci::text AS ci, bits::text AS bits, vb::text AS vb, r::text AS r,
      tr::text AS tr, textin(bpcharout(c)) AS c, n::text AS n FROM every_type ORDER BY id`);
  });
}

export const bytes = (value: unknown) => value == null ? null : [...(value as Uint8Array)].join();

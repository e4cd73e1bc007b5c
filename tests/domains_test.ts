/**
 * Domains export as their base types, the newer kinds and those read through their output functions
 * included (money, char(n), inet), as columns and as arrays of domains, through both doors.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readParquet } from "../mod.ts";
import { readMetadata } from "../src/read/read_parquet.ts";
import { exportTables } from "../postgres.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { connect, ensurePostgis, testSchema } from "./helpers/pg.ts";

Deno.test("domains over money, char(n), inet, geometry, bytea, timetz and interval, and arrays of them", async () => {
  const sql = connect();
  await ensurePostgis(sql);
  const schema = await testSchema(sql, "domains");
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(`
        CREATE DOMAIN cash AS money; CREATE DOMAIN code AS char(4); CREATE DOMAIN host AS inet;
        CREATE DOMAIN area AS geometry(Polygon,3857); CREATE DOMAIN blob AS bytea NOT NULL;
        CREATE DOMAIN moment AS timetz; CREATE DOMAIN span AS interval;
        CREATE TABLE t (id int PRIMARY KEY, m cash, c code, i host, g area, b blob, tz moment, v span,
          ma cash[], ca code[], ia host[], va span[]);
        INSERT INTO t VALUES (1, '-1234.56', 'ab', '1.2.3.4', 'SRID=3857;POLYGON((0 0,1 0,1 1,0 0))', '\\x01',
          '01:00+02', '1 mon -1 day', ARRAY['1.5'::money, NULL], ARRAY['ab'], ARRAY['1.2.3.4'::inet],
          ARRAY['1 day'::interval]),
          (2, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL)`);
    });
    const [{ polygon }] = await sql`SELECT ST_AsBinary('POLYGON((0 0,1 0,1 1,0 0))'::geometry) AS polygon`;
    for (const binaryCopy of [true, false]) {
      const door = binaryCopy ? "COPY" : "rows";
      const summary = await exportTables(sql, { out: await tempDir(), schema: schema.name, binaryCopy });
      const location = summary.tables[0].location;
      const rows = (await readParquet(location)).sort((a, b) => Number(a.id) - Number(b.id));
      assert.deepEqual(rows[0], {
        id: 1,
        m: "-1234.56", // through numeric, not money's "-$1,234.56"
        c: "ab  ", // the padding kept
        i: "1.2.3.4", // inet's own text, not "1.2.3.4/32"
        g: new Uint8Array(polygon),
        b: new Uint8Array([1]),
        tz: "23:00:00.000000Z",
        v: "P1M-1D",
        ma: ["1.50", null],
        ca: ["ab  "],
        ia: ["1.2.3.4"],
        va: ["P1D"],
      }, door);
      assert.deepEqual(rows[1].b, new Uint8Array(0), door);
      const metadata = await readMetadata(location);
      const geo = JSON.parse(metadata.key_value_metadata!.find((kv) => kv.key === "geo")!.value!);
      assert.deepEqual(
        [geo.columns.g.geometry_types, geo.columns.g.crs.id.code],
        [["Polygon"], 3857],
        door,
      );
      const byName = Object.fromEntries(metadata.schema.map((e) => [e.name, e]));
      assert.equal(byName.b.repetition_type, "REQUIRED", "the domain's NOT NULL counts");
      const [types] = await duckdbRows(`SELECT typeof(m) AS m, typeof(b) AS b, typeof(tz) AS tz
        FROM read_parquet(${sqlString(location)}) LIMIT 1`);
      assert.deepEqual(types, { m: "DECIMAL(19,2)", b: "BLOB", tz: "TIME WITH TIME ZONE" }, door);
    }
  } finally {
    await schema.drop();
    await sql.end();
  }
});

/**
 * Arrays whose elements are not read as their column's own binary type: char(n) with its padding and
 * decimals of money through binary COPY, elements whose text only their output function gives (inet,
 * ranges) through rows; both doors read the same.
 */

import assert from "node:assert/strict";
import { readParquet } from "../mod.ts";
import { connectPostgres, copyBinarySupports, exportTables } from "../postgres.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { catalogQuery, connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { tempDir } from "./helpers/files.ts";

Deno.test("char(n), money and inet arrays read the same through binary COPY and rows", async () => {
  const admin = connect();
  const schema = await testSchema(admin, "copy_arrays");
  const sql = connectPostgres({ url: DATABASE_URL, max: 1 });
  try {
    await admin.unsafe(`CREATE TABLE "${schema.name}".copied (
      id int PRIMARY KEY, b character(3)[], m money[], d numeric(10,2)[])`);
    await admin.unsafe(`INSERT INTO "${schema.name}".copied VALUES
      (1, '{ab,NULL,c}', '{12.34,NULL,-5}', '{1.5,NULL}'), (2, '{}', NULL, NULL)`);
    await admin.unsafe(`CREATE TABLE "${schema.name}".texts (id int PRIMARY KEY, a inet[], f int4range[])`);
    await admin.unsafe(
      `INSERT INTO "${schema.name}".texts VALUES (1, '{10.0.0.1,NULL}', '{"[1,3)"}'), (2, NULL, '{}')`,
    );
    const catalog = catalogQuery(admin);
    assert.ok(copyBinarySupports(await introspectTable(catalog, "copied", { schema: schema.name })));
    assert.ok(!copyBinarySupports(await introspectTable(catalog, "texts", { schema: schema.name })));
    const expected = {
      copied: [
        { id: 1, b: ["ab ", null, "c  "], m: ["12.34", null, "-5.00"], d: ["1.50", null] },
        { id: 2, b: [], m: null, d: null },
      ],
      texts: [{ id: 1, a: ["10.0.0.1", null], f: ["[1,3)"] }, { id: 2, a: null, f: [] }],
    };
    for (const binaryCopy of [true, false]) {
      const summary = await exportTables(sql, { out: await tempDir(), schema: schema.name, binaryCopy });
      for (const { table: name, location } of summary.tables) {
        const want = expected[name as keyof typeof expected];
        assert.deepEqual(await readParquet(location), want, `${name}, binaryCopy: ${binaryCopy}`);
      }
      const copied = summary.tables.find((t) => t.table === "copied")!.location;
      const duck = await duckdbRows(
        `SELECT m::VARCHAR[] AS m FROM read_parquet(${sqlString(copied)}) ORDER BY id`,
      );
      assert.deepEqual(duck.map((r) => r.m), [["12.34", null, "-5.00"], null]);
    }
  } finally {
    await sql.end();
    await schema.drop();
    await admin.end();
  }
});

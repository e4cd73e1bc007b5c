/**
 * Every built-in PostgreSQL type, found in the catalog rather than listed by hand, exports with no flag,
 * as a column and as an array, through both doors: a column read as text holds PostgreSQL's own text.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readParquet } from "../mod.ts";
import { copyBinarySupports, exportTables } from "../postgres.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, type TestSchema, testSchema } from "./helpers/pg.ts";
import { introspectTable } from "../src/postgres/introspect.ts";

/** A value of each type whose input takes one (the rest are exported as NULL only). */
const LITERALS: Record<string, string> = {
  aclitem: "postgres=r/postgres",
  bit: "1",
  bool: "t",
  box: "(1,1),(0,0)",
  bpchar: "a",
  bytea: "\\x01ff",
  char: "a",
  cid: "1",
  cidr: "10.0.0.0/8",
  circle: "<(0,0),1>",
  date: "2020-01-01",
  datemultirange: "{[2020-01-01,2020-02-01)}",
  daterange: "[2020-01-01,2020-02-01)",
  float4: "1.5",
  float8: "1.5",
  inet: "1.2.3.4",
  int2: "1",
  int2vector: "1 2",
  int4: "1",
  int4multirange: "{[1,3),[5,7)}",
  int4range: "[1,3)",
  int8: "1",
  int8multirange: "{[1,3)}",
  int8range: "[1,3)",
  interval: "1 mon -2 days",
  json: '{"a": 1}',
  jsonb: '{"a": 1}',
  jsonpath: "$.a[*] ? (@ > 1)",
  line: "{1,2,3}",
  lseg: "[(0,0),(1,1)]",
  macaddr: "08:00:2b:01:02:03",
  macaddr8: "08:00:2b:01:02:03:04:05",
  money: "1.5",
  name: "a name",
  numeric: "1.5",
  nummultirange: "{[1.5,3)}",
  numrange: "[1.5,3)",
  oid: "1",
  oidvector: "1 2",
  path: "[(0,0),(1,1)]",
  pg_lsn: "16/B374D848",
  pg_snapshot: "10:20:10,14,15",
  point: "(1,2)",
  polygon: "((0,0),(1,1),(1,0))",
  refcursor: "cursor",
  regclass: "pg_class",
  regcollation: '"C"',
  regconfig: "english",
  regdictionary: "simple",
  regnamespace: "pg_catalog",
  regoper: "pg_catalog.||/",
  regoperator: "+(integer,integer)",
  regproc: "now",
  regprocedure: "abs(integer)",
  regrole: "postgres",
  regtype: "integer",
  text: "a",
  tid: "(0,1)",
  time: "01:02:03",
  timestamp: "2020-01-01 01:02:03",
  timestamptz: "2020-01-01 01:02:03+00",
  timetz: "01:02:03+01",
  tsmultirange: "{[2020-01-01 00:00,2020-01-02 00:00)}",
  tsquery: "fat & rat",
  tsrange: "[2020-01-01 00:00,2020-01-02 00:00)",
  tstzmultirange: "{[2020-01-01 00:00+00,)}",
  tstzrange: "[2020-01-01 00:00+00,)",
  tsvector: "a fat cat",
  txid_snapshot: "10:20:10,14,15",
  uuid: "8e0f4b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
  varbit: "101",
  varchar: "a",
  xid: "5",
  xid8: "5",
  xml: "<a/>",
};

Deno.test("every built-in type in pg_catalog, and its array, exports with no flag through both doors", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "builtin");
  try {
    const types = await sql`
      SELECT t.typname AS name, t.typarray <> 0 AS has_array FROM pg_type t
       WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.typtype IN ('b', 'r', 'm')
         AND t.typname NOT LIKE '\\_%' AND t.typcategory NOT IN ('P', 'X') ORDER BY t.typname`;
    const columns: string[] = [];
    const values: string[] = [];
    for (const { name, has_array } of types) {
      const type = `pg_catalog.${JSON.stringify(name)}`;
      const literal = LITERALS[name as string];
      const value = literal === undefined ? "NULL" : `${quote(literal)}::${type}`;
      columns.push(`"c_${name}" ${type}`);
      values.push(value);
      if (has_array) {
        columns.push(`"a_${name}" ${type}[]`);
        values.push(literal === undefined ? "NULL" : `ARRAY[${value}, NULL]`);
      }
    }
    await sql.begin(async (tx) => {
      await tx.unsafe(schema.searchPath);
      await tx.unsafe(`CREATE TABLE builtin (id int PRIMARY KEY, ${columns.join(", ")})`);
      await tx.unsafe(
        `INSERT INTO builtin VALUES (1, ${values.join(", ")}), (2${", NULL".repeat(values.length)})`,
      );
    });
    // The scalars alone, so that the COPY door reads them all (an array read as text takes the row door).
    await sql.unsafe(`CREATE TABLE "${schema.name}".builtin_scalars AS
      SELECT id, ${columns.filter((c) => c.startsWith('"c_')).map((c) => c.split(" ")[0]).join(", ")}
        FROM "${schema.name}".builtin`);
    for (const name of ["builtin", "builtin_scalars"]) await exportsAsPostgresSays(sql, schema, name);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

/** Exports `name` through both doors and reads it back: its text columns hold PostgreSQL's own text. */
async function exportsAsPostgresSays(sql: ReturnType<typeof connect>, schema: TestSchema, name: string) {
  const table = await introspectTable(catalogQuery(sql), name, { schema: schema.name });
  const textColumns = Object.entries(table.columns).filter(([, c]) => c.spec.kind === "text").map(([n]) => n);
  const textArrays = Object.entries(table.columns)
    .filter(([, c]) => c.spec.kind === "array" && c.spec.element?.kind === "text").map(([n]) => n);
  const pg = await sql.begin(async (tx) => {
    await tx.unsafe(schema.searchPath);
    // PostgreSQL's own text of a value is its output function's, which format's %s gives.
    const own = (e: string) => `CASE WHEN ${e} IS NULL THEN NULL ELSE format('%s', ${e}) END`;
    const texts = textColumns.map((n) => `${own(`"${n}"`)} AS "${n}"`);
    const arrays = textArrays.map((n) =>
      `(SELECT jsonb_agg(${own("e")} ORDER BY i) FROM unnest("${n}") WITH ORDINALITY u(e, i)) AS "${n}"`
    );
    return await tx.unsafe(`SELECT ${[...texts, ...arrays].join(", ")} FROM ${name} ORDER BY id`);
  });
  if (name === "builtin_scalars") assert.ok(copyBinarySupports(table), "every scalar through binary COPY");
  for (const binaryCopy of [true, false]) {
    const door = binaryCopy ? "COPY" : "rows";
    const summary = await exportTables(sql, {
      out: await tempDir(),
      schema: schema.name,
      tables: [name],
      binaryCopy,
    });
    assert.deepEqual(summary.asText ?? [], [], door);
    const location = summary.tables[0].location;
    const rows = (await readParquet(location)).sort((a, b) => Number(a.id) - Number(b.id));
    assert.equal(rows.length, 2);
    for (const [column, { spec }] of Object.entries(table.columns)) {
      if (column === "id") continue;
      const where = `${name}.${column} (${door})`;
      assert.equal(rows[1][column], null, `${where} NULL`);
      if (LITERALS[column.slice(2)] !== undefined) assert.notEqual(rows[0][column], null, where);
      if (spec.kind === "text") assert.equal(rows[0][column], pg[0][column], where);
    }
    for (const column of textArrays) assert.deepEqual(rows[0][column], pg[0][column], `${name}.${column}`);
    const [{ n }] = await duckdbRows(`SELECT count(*)::INT AS n FROM read_parquet(${sqlString(location)})`);
    assert.equal(n, 2, door);
  }
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

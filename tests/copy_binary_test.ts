import assert from "node:assert/strict";
import {
  array,
  bigint,
  boolean,
  date,
  defineTable,
  float,
  geographyPoint,
  int,
  jsonb,
  numeric,
  readParquet,
  real,
  smallint,
  text,
  timestamp,
  timestamptz,
  uuid,
  ValidationError,
  writeParquet,
} from "../mod.ts";
import { copyBinaryStatement, copyBinarySupports } from "../src/postgres/copy_binary.ts";
import { copyBinaryToParquet } from "../src/export/copy_to_parquet.ts";
import { writeTableByCopy } from "../src/export/copy_table.ts";
import { openCopy } from "../src/postgres/copy_out.ts";
import { BatchWriter } from "../src/export/batch_writer.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { selectList } from "../src/postgres/read_sql.ts";
import type { TableDefinition } from "../src/schema/table.ts";
import { catalogQuery, connect } from "./helpers/pg.ts";
import { tempDir } from "./helpers/files.ts";

const sql = connect();
const SCHEMA = `copy_binary_${crypto.randomUUID().slice(0, 8)}`;

const DDL = `CREATE TABLE ${SCHEMA}.edge (
  id int PRIMARY KEY, u uuid NOT NULL, s smallint, b bigint, r real, f float8, ok boolean,
  d date, ts timestamp, tstz timestamptz, t text, j jsonb,
  n82 numeric(8,2), n40 numeric(4,0), n155 numeric(15,5), n306 numeric(30,6), nfree numeric
)`;
const ROWS = `INSERT INTO ${SCHEMA}.edge VALUES
  (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', -32768, -9223372036854775808, 1.5, -0.0, true,
   '0001-01-01', '1900-01-01 00:00:00.000001', '2262-04-11 23:47:16.854775+00', 'é ü 漢字 🙂', '{"a b": "x, y: z", "n": [1, 2.5, null], "q": "\\"quoted\\" \\\\ "}',
   -999999.99, 9999, -1234567890.12345, 123456789012345678901234.567891, -0.000000000123),
  (2, '00000000-0000-0000-0000-000000000000', 32767, 9223372036854775807, -3.25, 1e300, false,
   '2999-12-31', '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', '', '[]',
   0.01, -1, 0, -0.000001, 12345678901234567890.5),
  (3, 'ffffffff-ffff-ffff-ffff-ffffffffffff', NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;

async function definition(): Promise<TableDefinition> {
  return await introspectTable(catalogQuery(sql), "edge", { schema: SCHEMA });
}

async function fastBytes(table: TableDefinition, chunkSize?: number, name = "edge"): Promise<Uint8Array> {
  // Through openCopy, as the export reads: a raw postgres.js COPY stream can end with the socket paused,
  // and the next query on the connection would never be answered (porsager/postgres#499).
  const copy = await openCopy(sql.unsafe(copyBinaryStatement(table, SCHEMA, name)));
  async function* rechunk() {
    for await (const chunk of copy.chunks) {
      if (!chunkSize) yield chunk;
      else for (let i = 0; i < chunk.length; i += chunkSize) yield chunk.subarray(i, i + chunkSize);
    }
  }
  const bytes = await new Response(copyBinaryToParquet(rechunk(), table, { rowGroupSize: 2 }).stream).bytes();
  await copy.end();
  return bytes;
}

async function rowPathRows(table: TableDefinition) {
  const rows = await sql.unsafe(`SELECT ${selectList(table)} FROM ${SCHEMA}.edge ORDER BY id`);
  const dir = await tempDir();
  const { location } = await writeParquet(dir, rows, { table, rowGroupSize: 2 });
  return await readParquet(location);
}

Deno.test({
  name: "copy binary",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await sql.unsafe(`CREATE SCHEMA ${SCHEMA}`);
    try {
      await sql.unsafe(DDL);
      await sql.unsafe(ROWS);
      const table = await definition();

      await t.step("every supported type reads back as the row path reads it, in any chunking", async () => {
        const expected = await rowPathRows(table);
        assert.equal(expected.length, 3);
        for (const chunkSize of [undefined, 1, 7, 4096]) {
          const rows = await readParquet(await fastBytes(table, chunkSize));
          assert.deepEqual(
            rows.sort((a, b) => Number(a.id) - Number(b.id)),
            expected,
            `chunks of ${chunkSize}`,
          );
        }
      });

      await t.step("millisecond timestamps truncate as the row path does", async () => {
        const millis = defineTable("edge", {
          ...table.columns,
          ts: timestamp({ unit: "millis" }).nullable(),
          tstz: timestamptz({ unit: "millis" }).nullable(),
        });
        const expected = await rowPathRows(millis);
        const rows = await readParquet(await fastBytes(millis));
        assert.deepEqual(rows.sort((a, b) => Number(a.id) - Number(b.id)), expected);
        assert.equal(expected[0].ts, "1900-01-01T00:00:00.000");
      });

      await t.step("a null where the definition says NOT NULL names row and column", async () => {
        const strict = defineTable("edge", { ...table.columns, s: smallint() });
        await assert.rejects(
          fastBytes(strict),
          (error: unknown) => error instanceof ValidationError && error.column === "s" && error.row === 3,
        );
      });

      await t.step("infinite timestamps and NaN numerics are refused, not stored wrong", async () => {
        await sql.unsafe(`CREATE TABLE ${SCHEMA}.special (id int, ts timestamptz, n numeric(8,2))`);
        await sql.unsafe(`INSERT INTO ${SCHEMA}.special VALUES (1, 'infinity', 1), (2, now(), 'NaN')`);
        const special = defineTable("special", {
          id: int(),
          ts: timestamptz().nullable(),
          n: numeric(8, 2).nullable(),
        });
        await assert.rejects(
          fastBytes(special, undefined, "special"),
          (error: unknown) =>
            error instanceof ValidationError && /infinite timestamps/.test(error.message) && error.row === 1,
        );
      });

      await t.step("writeTableByCopy records the file in a batch, as writeTable would", async () => {
        const out = await tempDir();
        const batch = new BatchWriter(out);
        const entry = await writeTableByCopy(sql, batch, table, { schema: SCHEMA, codec: "ZSTD" });
        await batch.commit();
        const [file] = entry.files;
        assert.equal(file.rows, 3);
        const bytes = await Deno.readFile(`${out}/${file.path}`);
        assert.equal(file.bytes, bytes.length);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        assert.equal(file.sha256, Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""));
        const rows = await readParquet(bytes);
        assert.deepEqual(rows.sort((a, b) => Number(a.id) - Number(b.id)), await rowPathRows(table));
      });

      await t.step(
        "arrays and points are taken by the fast path, arrays of unconstrained numerics not",
        () => {
          assert.equal(copyBinarySupports(table), true);
          assert.equal(copyBinarySupports(defineTable("a", { tags: array(text()) })), true);
          assert.equal(copyBinarySupports(defineTable("p", { at: geographyPoint() })), true);
          assert.equal(copyBinarySupports(defineTable("n", { free: array(numeric()) })), false);
          assert.ok(
            copyBinarySupports(defineTable("all", {
              a: int(),
              b: bigint(),
              c: real(),
              d: float(),
              e: boolean(),
              f: date(),
              g: timestamp(),
              h: timestamptz({ unit: "millis" }),
              i: jsonb(),
              j: uuid(),
            })),
          );
        },
      );
    } finally {
      await sql.unsafe(`DROP SCHEMA ${SCHEMA} CASCADE`);
      await sql.end();
    }
  },
});

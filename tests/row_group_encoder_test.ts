import assert from "node:assert/strict";
import { join } from "node:path";
import { readParquet, ValidationError } from "../mod.ts";
import { copyBinaryStatement } from "../src/postgres/copy_binary.ts";
import { copyBinaryToParquet } from "../src/export/copy_to_parquet.ts";
import { openCopy } from "../src/postgres/copy_out.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import type { TableDefinition } from "../src/schema/table.ts";
import { storageFor } from "../src/storage/open_location.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, testSchema } from "./helpers/pg.ts";

const sql = connect();
const ROWS = 30_000;

async function encode(table: TableDefinition, schema: string, worker: boolean, name = "logs") {
  // Through openCopy, as the export reads: a raw postgres.js COPY stream can end with the socket paused,
  // and the next query on the connection would never be answered (porsager/postgres#499).
  const copy = await openCopy(sql.unsafe(copyBinaryStatement(table, schema, name)));
  const { stream, progress } = copyBinaryToParquet(copy.chunks, table, {
    rowGroupSize: 4_000,
    pageSize: 16 * 1024,
    codec: "ZSTD",
    worker,
  });
  const bytes = await new Response(stream).bytes();
  await copy.end();
  return { bytes, progress };
}

Deno.test({
  name: "row groups encoded in a worker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const schema = await testSchema(sql, "row_groups");
    try {
      await sql.unsafe(`CREATE TABLE "${schema.name}".logs AS
        SELECT i AS id, md5(i::text)::uuid AS u, 'layer ' || (i % 17) AS layer,
               CASE WHEN i % 9 = 0 THEN NULL ELSE i * 1.5 END::float8 AS depth,
               timestamptz '2024-01-01' + i * interval '1 second' AS at, i % 2 = 0 AS ok
          FROM generate_series(1, ${ROWS}) AS i`);
      await sql.unsafe(`ALTER TABLE "${schema.name}".logs ALTER COLUMN id SET NOT NULL`);
      const table = await introspectTable(catalogQuery(sql), "logs", { schema: schema.name });

      await t.step("write the same bytes as in this thread, read back alike by DuckDB", async () => {
        const inThread = await encode(table, schema.name, false);
        const inWorker = await encode(table, schema.name, true);
        assert.equal(inWorker.progress.rows, ROWS);
        assert.deepEqual(inWorker.bytes, inThread.bytes);
        const dir = await tempDir();
        const path = join(dir, "logs.parquet");
        await Deno.writeFile(path, inWorker.bytes);
        const [meta] = await duckdbRows(
          `SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM parquet_metadata(${sqlString(path)})`,
        );
        assert.equal(meta.groups, Math.ceil(ROWS / 4_000));
        const [duck] = await duckdbRows(
          `SELECT count(*)::INTEGER AS n, sum(depth) AS depth FROM read_parquet(${sqlString(path)})`,
        );
        assert.equal(duck.n, ROWS);
        const [pg] = await sql.unsafe(`SELECT sum(depth) AS depth FROM "${schema.name}".logs`);
        assert.equal(duck.depth, pg.depth);
        assert.equal((await readParquet(path)).length, ROWS);
      });

      await t.step("a bad row after some row groups fails with its row, and leaves no file", async () => {
        // A definition that says NOT NULL where the table has NULLs: the decoder refuses the row.
        const strict = await introspectTable(catalogQuery(sql), "logs", { schema: schema.name });
        (strict.columns.depth.spec as { nullable: boolean }).nullable = false;
        const dir = await tempDir();
        const path = join(dir, "strict.parquet");
        // A connection of its own: a COPY stopped midway leaves its connection unusable (see copy_table.ts).
        const own = connect();
        const copy = await own.unsafe(
          `COPY (SELECT * FROM "${schema.name}".logs ORDER BY id DESC) TO STDOUT (FORMAT binary)`,
        ).readable();
        // Rows run from id 30,000 down; the first NULL depth is id 29,997, row 4, in the second row
        // group: the first has gone to the worker by then.
        const { stream } = copyBinaryToParquet(copy as AsyncIterable<Uint8Array>, strict, {
          rowGroupSize: 2,
          worker: true,
        });
        const error = await stream.pipeTo((await storageFor(path)).createSink(path)).then(
          () => undefined,
          (e) => e,
        );
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.table, "logs");
        assert.equal(error.row, 4);
        assert.equal(error.column, "depth");
        assert.deepEqual(await allFiles(dir), []);
        await own.end({ timeout: 0 });
      });
    } finally {
      await schema.drop();
      await sql.end();
    }
  },
});

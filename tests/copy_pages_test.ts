/**
 * The COPY path's own Parquet pages (column buffers, byte dictionary, statistics from bytes, page
 * layout) against real readers: DuckDB must read exactly PostgreSQL's values, with statistics that
 * are true of every row group; hyparquet must read what the row path writes; readParquet's filters
 * must prune only what does not match.
 *
 * @module
 */
import assert from "node:assert/strict";
import { defineTable, readParquet, text, ValidationError } from "../mod.ts";
import { type Codec, CODECS } from "../write.ts";
import { BatchWriter } from "../src/export/batch_writer.ts";
import { writeTableByCopy } from "../src/export/copy_table.ts";
import { readMetadata } from "../src/read/read_parquet.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { catalogQuery } from "./helpers/pg.ts";
import {
  assertDuckDbReadsPostgres,
  assertHyparquetReadsRowPath,
  assertStatisticsTrue,
  byId,
  chunkOf,
  copyBytes,
  createWide,
  FILTERS,
  GROUP,
  NAN_FILTERS,
  openDuckDb,
  postgresFloats,
  rowPathRows,
  ROWS,
  sameBytes,
  SCHEMA,
  sql,
  SQL_PREDICATES,
  TEXT_ORDER_FILTERS,
  wideDefinition,
  writeFile,
} from "./helpers/copy_pages.ts";

Deno.test({
  name: "COPY pages: every type, every codec, read by DuckDB and hyparquet as PostgreSQL has them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await sql.unsafe(`CREATE SCHEMA ${SCHEMA}`);
    const duck = await openDuckDb();
    try {
      await createWide();
      const table = await wideDefinition();
      const expected = await rowPathRows(table);
      assert.equal(expected.length, ROWS);
      const floats = await postgresFloats();
      const smallPages = { rowGroupSize: GROUP, pageSize: 4096 };
      const files: Partial<Record<Codec, { small: Uint8Array; defaults: Uint8Array }>> = {};

      for (const codec of CODECS) {
        await t.step(`${codec}: 4 KiB pages in row groups of ${GROUP}, and the defaults`, async () => {
          const small = await copyBytes(table, "wide", { ...smallPages, codec, worker: false });
          const inWorker = await copyBytes(table, "wide", { ...smallPages, codec, worker: true });
          if (codec === "GZIP") assert.equal(inWorker.length, small.length);
          else assert.ok(sameBytes(inWorker, small), "the worker writes the same bytes as the thread");
          const cut = await copyBytes(table, "wide", { ...smallPages, codec, worker: false }, 1000);
          // GZIP's header holds the time it was written (fflate's default mtime): its bytes may differ.
          if (codec === "GZIP") assert.deepEqual(await readParquet(cut), await readParquet(small));
          else assert.ok(sameBytes(cut, small), "tuples cut across chunks change nothing");
          await assertDuckDbReadsPostgres(duck, await writeFile(small), `${codec}, 4 KiB pages`);
          await assertHyparquetReadsRowPath(small, expected, floats, `${codec}, 4 KiB pages`);

          const defaults = await copyBytes(table, "wide", { codec });
          await assertDuckDbReadsPostgres(duck, await writeFile(defaults), `${codec}, defaults`);
          await assertHyparquetReadsRowPath(defaults, expected, floats, `${codec}, defaults`);
          files[codec] = { small, defaults };
        });
      }

      await t.step("row groups cut by rowGroupBytes: uneven, and still exact", async () => {
        const bytes = await copyBytes(table, "wide", { rowGroupBytes: 1 << 20, codec: "ZSTD" });
        const sizes = (await readMetadata(bytes)).row_groups.map((g) => Number(g.num_rows));
        assert.ok(sizes.length >= 3 && new Set(sizes).size > 1, `row groups of ${sizes}`);
        const path = await writeFile(bytes);
        await assertDuckDbReadsPostgres(duck, path, "1 MiB row groups");
        await assertStatisticsTrue(duck, path);
        await assertHyparquetReadsRowPath(bytes, expected, floats, "1 MiB row groups");
      });

      await t.step("layout: dictionaries kept, given up and dropped; many pages per chunk", async () => {
        const metadata = await readMetadata(files.ZSTD!.small);
        assert.deepEqual(metadata.row_groups.map((g) => g.num_rows), [5000n, 5000n, 5000n, 5000n]);
        const dictionary = (group: number, column: string) =>
          chunkOf(metadata, group, column).dictionary_page_offset !== undefined;
        for (
          const column of ["u", "t", "s", "i", "b", "r", "f", "d", "ts", "tz", "j", "n9", "n18", "n19", "nf"]
        ) {
          assert.deepEqual([0, 1, 2].map((g) => dictionary(g, column)), [true, false, true], column);
        }
        for (const column of ["ok", "ok_n", "always_null"]) {
          assert.deepEqual(
            [0, 1, 2, 3].map((g) => dictionary(g, column)),
            [false, false, false, false],
            column,
          );
        }
        const pages = (group: number, column: string) =>
          chunkOf(metadata, group, column).encoding_stats!.find((s) => s.page_type === "DATA_PAGE_V2")!.count;
        assert.ok(pages(1, "b") >= 9, `bigint PLAIN pages: ${pages(1, "b")}`);
        assert.ok(pages(1, "t") >= 10, `text PLAIN pages: ${pages(1, "t")}`);
        assert.ok(pages(1, "n38_n") >= 10, `decimal PLAIN pages: ${pages(1, "n38_n")}`);
        assert.equal(pages(3, "t_n"), 1, "a column of nulls is one page");
      });

      await t.step("statistics are true of every row group and column", async () => {
        await assertStatisticsTrue(duck, await writeFile(files.ZSTD!.small));
        await assertStatisticsTrue(duck, await writeFile(files.SNAPPY!.defaults));
      });

      /** Each filter's rows against the unfiltered rows filtered here; and whether it pruned. */
      const wrongFilters = async (bytes: Uint8Array, filters: typeof FILTERS) => {
        const all = byId(await readParquet(bytes));
        const wrong: string[] = [];
        for (const { filter, keep, prunes } of filters) {
          const skipped: number[] = [];
          const rows = await readParquet(bytes, {
            filters: filter,
            onRowGroup: ({ index, skipped: skip }) => void (skip && skipped.push(index)),
          });
          const label = Deno.inspect(filter, { compact: true, breakLength: Infinity });
          const got = new Set(byId(rows).map((r) => r.id)), want = new Set(all.filter(keep).map((r) => r.id));
          const extra = [...got].filter((id) => !want.has(id)),
            missing = [...want].filter((id) => !got.has(id));
          if (extra.length || missing.length) {
            wrong.push(
              `${label}: ${extra.length} rows too many (id ${extra.slice(0, 3)}…), ` +
                `${missing.length} missing (id ${missing.slice(0, 3)}…)`,
            );
          }
          if (prunes && !skipped.length) wrong.push(`${label} skips no row group`);
        }
        return wrong;
      };

      await t.step("readParquet's filters skip only row groups without a match", async () => {
        assert.deepEqual(await wrongFilters(files.GZIP!.small, FILTERS), []);
      });

      await t.step("readParquet's filters: NaN matches no comparison", async () => {
        assert.deepEqual(await wrongFilters(files.GZIP!.small, NAN_FILTERS), []);
      });

      await t.step(
        "readParquet's filters: text compares in Parquet's order (UTF-8 bytes), as statistics do",
        async () => {
          assert.deepEqual(await wrongFilters(files.GZIP!.small, TEXT_ORDER_FILTERS), []);
        },
      );

      await t.step("DuckDB, pruning by these statistics, finds PostgreSQL's rows", async () => {
        const file = `read_parquet(${sqlString(await writeFile(files.BROTLI!.small))})`;
        for (const { pg, duck: predicate } of SQL_PREDICATES) {
          const [want] = await sql.unsafe(
            `SELECT count(*)::int AS n, coalesce(sum(id), 0)::text AS s FROM ${SCHEMA}.wide WHERE ${pg}`,
          );
          const [got] = await duck.rows(
            `SELECT count(*)::INTEGER AS n, CAST(coalesce(sum(id), 0) AS VARCHAR) AS s FROM ${file} WHERE ${predicate}`,
          );
          assert.deepEqual(got, { n: want.n, s: want.s }, predicate);
          assert.ok(want.n > 0, `${pg} matches rows`);
        }
      });

      await t.step("a JSON null is a JSON value, not a missing one", async () => {
        // Not in the wide table: the row path cannot write it (it takes JSON null for SQL NULL).
        await sql.unsafe(`CREATE TABLE ${SCHEMA}.json_null (id int NOT NULL, j jsonb NOT NULL, n jsonb)`);
        await sql.unsafe(`INSERT INTO ${SCHEMA}.json_null VALUES (1, 'null', 'null'), (2, '[null]', NULL)`);
        const jsonNull = await introspectTable(catalogQuery(sql), "json_null", { schema: SCHEMA });
        const path = await writeFile(await copyBytes(jsonNull, "json_null", {}));
        assert.deepEqual(
          await duck.rows(
            `SELECT id, CAST(j AS VARCHAR) AS j, CAST(n AS VARCHAR) AS n FROM read_parquet(${
              sqlString(path)
            }) ORDER BY id`,
          ),
          [{ id: 1, j: "null", n: "null" }, { id: 2, j: "[null]", n: null }],
        );
      });

      await t.step("an empty table is a file of no row groups", async () => {
        await sql.unsafe(`CREATE TABLE ${SCHEMA}.empty (id int, t text)`);
        const empty = await introspectTable(catalogQuery(sql), "empty", { schema: SCHEMA });
        const bytes = await copyBytes(empty, "empty", {});
        assert.equal((await readMetadata(bytes)).row_groups.length, 0);
        assert.deepEqual(await readParquet(bytes), []);
        assert.deepEqual(
          await duck.rows(
            `SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(await writeFile(bytes))})`,
          ),
          [{ n: 0 }],
        );
      });

      await t.step(
        "a NULL in a column declared NOT NULL names table, row and column, and leaves no file",
        async () => {
          const strict = defineTable("wide", { ...table.columns, t_n: text() });
          const [{ firstNull }] = await sql.unsafe(
            `SELECT min(n)::int AS "firstNull" FROM (SELECT t_n, row_number() OVER (ORDER BY ctid) AS n
             FROM ${SCHEMA}.wide) AS scan WHERE t_n IS NULL`,
          );
          assert.equal(firstNull, 64);
          for (const worker of [false, true]) {
            // writeTableByCopy: the export's own way to a LocalStorage sink, which also ends the COPY cleanly.
            const out = await tempDir();
            const error = await writeTableByCopy(sql, new BatchWriter(out), strict, {
              schema: SCHEMA,
              rowGroupSize: 10,
              worker,
            }).then(() => undefined, (caught) => caught);
            assert.ok(error instanceof ValidationError, String(error));
            // COPY's row number: the position in a scan of the heap, id 64 (the first past the edge rows
            // that is a multiple of 4) once clustered, in the 7th row group.
            assert.deepEqual([error.table, error.row, error.column], ["wide", firstNull, "t_n"]);
            assert.deepEqual(await allFiles(out), [], `worker: ${worker}`);
          }
          const [{ n }] = await sql`SELECT count(*)::int AS n FROM ${sql(SCHEMA)}.wide`;
          assert.equal(n, ROWS, "the connection is usable after the failed COPY");
        },
      );
    } finally {
      duck.close();
      await sql.unsafe(`DROP SCHEMA ${SCHEMA} CASCADE`);
      await sql.end();
    }
  },
});

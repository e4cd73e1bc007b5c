// Memory with huge single values (issue 15): a row holding one 50 MB jsonb, and a row holding a
// 1M-element text[], export through the CLI (default codec) in a child process whose peak resident
// memory `/usr/bin/time -v` measures, to local disk and once to S3; the files read back equal to
// PostgreSQL in hyparquet and DuckDB. Row groups are cut by bytes before a huge value, on both doors.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetMetadataAsync } from "hyparquet";
import { defineTable, EncodeStream, int, jsonb, readParquet, text } from "../mod.ts";
import { CODECS } from "../write.ts";
import { readCommitted } from "../batch.ts";
import { copyBinaryStatement } from "../src/postgres/copy_binary.ts";
import { BatchWriter } from "../src/export/batch_writer.ts";
import { writePartitionedByCopy } from "../src/export/copy_partitioned.ts";
import { copyBinaryToParquet } from "../src/export/copy_to_parquet.ts";
import { openCopy } from "../src/postgres/copy_out.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { duckdbRows, sqlString } from "./helpers/duckdb.ts";
import { allFiles, tempDir } from "./helpers/files.ts";
import { catalogQuery, connect, DATABASE_URL, testSchema } from "./helpers/pg.ts";
import { testBucket } from "./helpers/s3_server.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
/**
 * Generous against what was measured on 2 shared cores (about 210-250 MiB locally; to S3 its 4 parts in
 * flight add about 40 MiB), and far below what a copy per stage took (700 MiB for the jsonb).
 */
const LOCAL_LIMIT_MIB = 300;
const S3_LIMIT_MIB = 350;
const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** Runs the export CLI under `/usr/bin/time -v`; returns its peak resident memory in MiB. */
async function exportPeak(args: string[], env: Record<string, string> = {}): Promise<number> {
  const output = await new Deno.Command("/usr/bin/time", {
    args: ["-v", Deno.execPath(), "run", "-A", `${REPO}src/cli/export.ts`, ...args],
    cwd: REPO,
    env: { DATABASE_URL, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const kib = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  assert.ok(kib, stderr);
  return Number(kib[1]) / 1024;
}

async function onlyParquet(dir: string): Promise<string> {
  const files = (await allFiles(dir)).filter((f) => f.endsWith(".parquet"));
  assert.equal(files.length, 1, files.join(", "));
  return join(dir, files[0]);
}

const haveTime = await Deno.stat("/usr/bin/time").then(() => true, () => false);

Deno.test({
  name: "a 50 MB jsonb and a 1M-element text[] export within the memory bound and read back equal",
  ignore: !haveTime,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sql = connect();
    const schema = await testSchema(sql, "big_values");
    const s = `"${schema.name}"`;
    try {
      await sql.unsafe(`CREATE TABLE ${s}.docs (id int PRIMARY KEY, doc jsonb)`);
      await sql.unsafe(`INSERT INTO ${s}.docs SELECT 1, jsonb_build_object('items',
        (SELECT jsonb_agg(md5(i::text)) FROM generate_series(1, 1400000) i))`);
      await sql.unsafe(
        `INSERT INTO ${s}.docs SELECT i, jsonb_build_object('n', i) FROM generate_series(2, 1000) i`,
      );
      await sql.unsafe(`CREATE TABLE ${s}.tags (id int PRIMARY KEY, tags text[])`);
      await sql.unsafe(`INSERT INTO ${s}.tags
        SELECT 1, (SELECT array_agg(md5(i::text)) FROM generate_series(1, 1000000) i)`);
      await sql.unsafe(`INSERT INTO ${s}.tags SELECT i, ARRAY['a', 'b'] FROM generate_series(2, 1000) i`);
      // The stored JSON is compact (no space after ':' or ','), which these values allow in SQL.
      const docs = await sql.unsafe(`SELECT id, md5(replace(replace(doc::text, ': ', ':'), ', ', ',')) AS h,
        octet_length(doc::text) AS n FROM ${s}.docs ORDER BY id`);
      const tags = await sql.unsafe(`SELECT id, cardinality(tags) AS n, md5(array_to_string(tags, ',')) AS h
        FROM ${s}.tags ORDER BY id`);
      assert.ok(docs[0].n > 50_000_000);

      await t.step("the 50 MB jsonb row, to a local folder", async () => {
        const out = await tempDir();
        const peak = await exportPeak(["--schema", schema.name, "--tables", "docs", "--out", out]);
        console.log(`50 MB jsonb → local: peak ${peak.toFixed(0)} MiB`);
        assert.ok(peak <= LOCAL_LIMIT_MIB, `peak ${peak.toFixed(0)} MiB`);
        const path = await onlyParquet(out);
        const duck = await duckdbRows(`SELECT id, md5(CAST(doc AS VARCHAR)) AS h
          FROM read_parquet(${sqlString(path)}) ORDER BY id`);
        assert.deepEqual(duck, docs.map(({ id, h }) => ({ id, h })));
        const back = await readParquet(path, { columns: ["id", "doc"] });
        assert.equal(back.length, 1000);
        assert.equal(md5(JSON.stringify(back.find((r) => r.id === 1)!.doc)), docs[0].h);
        // The footer holds no copy of the value: its bounds are left out.
        const metadata = await parquetMetadataAsync((await Deno.readFile(path)).buffer);
        assert.ok(metadata.metadata_length < 64 * 1024, `footer of ${metadata.metadata_length} bytes`);
      });

      await t.step("the 1M-element text[] row, to a local folder", async () => {
        const out = await tempDir();
        const peak = await exportPeak(["--schema", schema.name, "--tables", "tags", "--out", out]);
        console.log(`1M-element text[] → local: peak ${peak.toFixed(0)} MiB`);
        assert.ok(peak <= LOCAL_LIMIT_MIB, `peak ${peak.toFixed(0)} MiB`);
        const path = await onlyParquet(out);
        const duck = await duckdbRows(
          `SELECT id, len(tags)::INTEGER AS n, md5(array_to_string(tags, ',')) AS h
          FROM read_parquet(${sqlString(path)}) ORDER BY id`,
        );
        assert.deepEqual(duck, tags.map(({ id, n, h }) => ({ id, n, h })));
        const back = await readParquet(path, { columns: ["id", "tags"] });
        const big = back.find((r) => r.id === 1)!.tags as string[];
        assert.equal(big.length, 1_000_000);
        assert.equal(md5(big.join(",")), tags[0].h);
      });

      await t.step("the 50 MB jsonb row, to S3", async () => {
        await using bucket = await testBucket("big-values");
        const out = bucket.url("lake");
        const peak = await exportPeak(["--schema", schema.name, "--tables", "docs", "--out", out]);
        console.log(`50 MB jsonb → S3: peak ${peak.toFixed(0)} MiB`);
        assert.ok(peak <= S3_LIMIT_MIB, `peak ${peak.toFixed(0)} MiB`);
        const rows = await readCommitted(out, "docs", { s3: bucket.options });
        assert.equal(rows.length, 1000);
        assert.equal(md5(JSON.stringify(rows.find((r) => r.id === 1)!.doc)), docs[0].h);
        assert.deepEqual(await bucket.openUploads(), []);
      });
    } finally {
      await schema.drop();
      await sql.end();
    }
  },
});

Deno.test("the rows door starts a row group before a row that would take it past rowGroupBytes", async () => {
  const table = defineTable("docs", { id: int(), doc: jsonb() });
  const small = (id: number) => ({ id, doc: { text: "x".repeat(100_000) } });
  const rows = [small(1), small(2), small(3), { id: 4, doc: { text: "y".repeat(900_000) } }, small(5)];
  const bytes = await new Response(
    ReadableStream.from(rows).pipeThrough(new EncodeStream(table, { rowGroupBytes: 1024 * 1024 })),
  ).bytes();
  const metadata = await parquetMetadataAsync(bytes.buffer);
  // Without the cut before it, the huge row would join the first three in a 1.2 MB row group.
  assert.deepEqual(metadata.row_groups.map((g) => Number(g.num_rows)), [3, 2]);
  const back = await readParquet(bytes.buffer);
  assert.deepEqual(back.map((r) => r.id), [1, 2, 3, 4, 5]);
});

Deno.test("binary COPY starts a row group before a tuple that would take it past rowGroupBytes", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "big_values_cut");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".docs (id int PRIMARY KEY, doc text)`);
    // Rows of 100 KiB, the fourth of 875 KiB.
    await sql.unsafe(`INSERT INTO "${schema.name}".docs
      SELECT i, repeat(md5(i::text), CASE WHEN i = 4 THEN 28000 ELSE 3200 END) FROM generate_series(1, 5) i`);
    const table = await introspectTable(catalogQuery(sql), "docs", { schema: schema.name });
    const copy = await openCopy(sql.unsafe(copyBinaryStatement(table, schema.name, "docs")));
    const { stream } = copyBinaryToParquet(copy.chunks, table, { rowGroupBytes: 1024 * 1024, worker: false });
    const bytes = await new Response(stream).bytes();
    await copy.end();
    const metadata = await parquetMetadataAsync(bytes.buffer);
    // Without the cut before it, the huge row would join the first three in a 1.2 MB row group.
    assert.deepEqual(metadata.row_groups.map((g) => Number(g.num_rows)), [3, 2]);
    const back = await readParquet(bytes.buffer, { columns: ["id"] });
    assert.deepEqual(back.map((r) => r.id), [1, 2, 3, 4, 5]);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("a partitioned binary COPY starts a partition's row group before a tuple that would overflow it", async () => {
  const sql = connect();
  const schema = await testSchema(sql, "big_values_part");
  try {
    await sql.unsafe(`CREATE TABLE "${schema.name}".docs (id int PRIMARY KEY, p text, doc text)`);
    await sql.unsafe(`INSERT INTO "${schema.name}".docs
      SELECT i, 'a', repeat(md5(i::text), CASE WHEN i = 4 THEN 28000 ELSE 3200 END) FROM generate_series(1, 5) i`);
    const table = await introspectTable(catalogQuery(sql), "docs", { schema: schema.name });
    const out = await tempDir();
    const entry = await sql.begin((tx) =>
      writePartitionedByCopy(tx, new BatchWriter(out), table, {
        partitionBy: ["p"],
        rowGroupBytes: 1024 * 1024,
      })
    );
    assert.equal(entry.files.length, 1);
    const [file] = (await allFiles(out)).filter((f) => f.endsWith(".parquet"));
    const bytes = await Deno.readFile(join(out, file));
    const metadata = await parquetMetadataAsync(bytes.buffer);
    // The huge row starts a row group (without the cut before it, it would join the first three), and
    // the cut of all partitions after 1 MiB of COPY bytes then closes that group on its own.
    assert.deepEqual(metadata.row_groups.map((g) => Number(g.num_rows)), [3, 1, 1]);
  } finally {
    await schema.drop();
    await sql.end();
  }
});

Deno.test("a value larger than a page is a page of its own, read back alike in every codec", async () => {
  const table = defineTable("notes", { id: int(), note: text() });
  // 3 MiB of text that compresses a little: three snappy slices, not one block.
  let big = "";
  for (let i = 0; big.length < 3 * 1024 * 1024; i++) big += (i * 2654435761 >>> 0).toString(36);
  const rows = Array.from({ length: 21 }, (_, i) => ({ id: i, note: i === 10 ? big : `note ${i}` }));
  const dir = await tempDir();
  for (const codec of CODECS) {
    const bytes = await new Response(
      ReadableStream.from(rows).pipeThrough(new EncodeStream(table, { codec })),
    )
      .bytes();
    const metadata = await parquetMetadataAsync(bytes.buffer);
    const chunk = metadata.row_groups[0].columns[1].meta_data!;
    // The rows before it, the value alone, the rows after it.
    assert.equal(chunk.encoding_stats?.find((s) => s.page_type === "DATA_PAGE_V2")?.count, 3, codec);
    assert.deepEqual(await readParquet(bytes.buffer), rows, codec);
    const path = join(dir, `${codec}.parquet`);
    await Deno.writeFile(path, bytes);
    const duck = await duckdbRows(
      `SELECT id, md5(note) AS h FROM read_parquet(${sqlString(path)}) ORDER BY id`,
    );
    assert.deepEqual(duck, rows.map(({ id, note }) => ({ id, h: md5(note) })), codec);
  }
});

/**
 * Damaged files: single bit flips in the pages and in the footer of an exported file. A flipped page is
 * a ReadError on every read (page CRC32), and so is a flipped footer (its own CRC32); through the batch's manifest (SHA-256) any flip anywhere is a ReadError, and
 * `deno task verify` says which file is damaged.
 */

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ReadError, readParquet } from "../mod.ts";
import { readCommitted, verifyBatch } from "../batch.ts";
import { connectPostgres, exportTables } from "../postgres.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/files.ts";
import { DATABASE_URL } from "./helpers/pg.ts";

const sql = connectPostgres({ url: DATABASE_URL, max: 2 });
const schema = `damage_${crypto.randomUUID().slice(0, 8)}`;
await sql.unsafe(`CREATE SCHEMA ${schema}`);
await sql.unsafe(`CREATE TABLE ${schema}.logs AS
  SELECT g AS id, 'log entry ' || (g % 97) AS note, g * 0.25 AS depth, (g % 5)::numeric(6, 2) AS grade,
         CASE WHEN g % 3 = 0 THEN NULL ELSE md5(g::text) END AS tag
    FROM generate_series(1, 6000) g`);
const root = await tempDir();
const summary = await exportTables(sql, { out: root, schema, tables: ["logs"], rowGroupSize: 2500 });
const location = summary.tables[0].location;
const original = new Uint8Array(await readFile(location));
const rows = await readParquet(location);
const footerLength = new DataView(original.buffer).getUint32(original.length - 8, true);
const footerStart = original.length - 8 - footerLength;

/** A deterministic sequence of bit positions in [from, to). */
function positions(count: number, from: number, to: number, seed: number): number[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, () => from * 8 + (next() % ((to - from) * 8)));
}

function flipped(bit: number): Uint8Array {
  const copy = original.slice();
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

Deno.test("a bit flipped anywhere in the pages is a ReadError naming file, table, column and row group", async () => {
  const dir = await tempDir();
  for (const bit of positions(200, 4, footerStart, 17)) {
    const path = join(dir, `flip_${bit}.parquet`);
    await writeFile(path, flipped(bit));
    const result = await readParquet(path).then((back) => back, (error) => error);
    assert.ok(
      result instanceof ReadError,
      `bit ${bit} (byte ${bit >> 3}): read ${result.length ?? result} rows`,
    );
    assert.equal(result.file, path);
    assert.match(result.message, /the file is damaged|Cannot decode/);
  }
  const error = await readParquet(await write(dir, flipped(positions(1, 200, 210, 3)[0]))).catch((e) => e);
  assert.equal(error.table, "logs");
  assert.equal(error.rowGroup, 0);
  assert.ok(error.column, "the column is named");
});

async function write(dir: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, `${crypto.randomUUID()}.parquet`);
  await writeFile(path, bytes);
  return path;
}

Deno.test("a bit flipped anywhere in the footer is a ReadError, never different rows", async () => {
  const dir = await tempDir();
  for (const bit of positions(200, footerStart, original.length - 8, 13)) {
    const file = await write(dir, flipped(bit));
    const result = await readParquet(file).then((back) => back, (error) => error);
    assert.ok(result instanceof ReadError, `bit ${bit} of the footer read without a ReadError: ${result}`);
    assert.ok(
      result.message.startsWith(`Cannot read Parquet metadata of ${file}`) ||
        result.message.startsWith(`Cannot read ${file}: the file is damaged`),
      result.message,
    );
  }
});

Deno.test("readCommitted checks the manifest's SHA-256: any flip, pages or footer, is a ReadError", async () => {
  try {
    for (
      const bit of [...positions(10, 4, footerStart, 5), ...positions(10, footerStart, original.length, 9)]
    ) {
      await writeFile(location, flipped(bit));
      const error = await readCommitted(root, "logs").catch((e) => e);
      assert.ok(error instanceof ReadError, `bit ${bit}: ${error}`);
      assert.match(error.message, /damaged or replaced \(its SHA-256 is/);
      assert.equal(error.table, "logs");
    }
  } finally {
    await writeFile(location, original);
  }
  assert.deepEqual(await readCommitted(root, "logs"), rows);
});

Deno.test("deno task verify: exit 0 on an intact batch, 1 naming the damaged file", async () => {
  assert.deepEqual((await verifyBatch(root)).files.map((f) => [f.rows, f.error]), [[6000, undefined]]);
  const intact = await runCli("verify", ["--out", root]);
  assert.equal(intact.code, 0, intact.stderr);
  assert.match(intact.stderr, /1 of 1 file\(s\) intact/);
  try {
    await writeFile(location, flipped(positions(1, 4, footerStart, 1)[0]));
    const damaged = await runCli("verify", ["--out", root, "--json"]);
    assert.equal(damaged.code, 1, damaged.stderr);
    assert.match(damaged.stderr, /DAMAGED .*logs_.*\.parquet/);
    assert.match(JSON.parse(damaged.stdout).files[0].error, /SHA-256/);
  } finally {
    await writeFile(location, original);
  }
});

Deno.test({
  name: "cleanup",
  fn: async () => {
    await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
    await sql.end();
  },
  sanitizeResources: false,
});

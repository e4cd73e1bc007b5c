/** The parallel export tests' tables (two large enough to split, an array one, an empty one) and what a batch committed of them. */

import { join } from "node:path";
import { committedFiles } from "../../batch.ts";
import { duckdbRows, sqlString } from "./duckdb.ts";
import { type connect, DATABASE_URL } from "./pg.ts";

export const TABLES = ["big", "logs", "tagged", "empty"];

/** Two COPY tables large enough to split, one read row by row (an array), one empty. */
export async function createTables(sql: ReturnType<typeof connect>, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await sql.unsafe(`CREATE TABLE ${s}.big AS SELECT g AS id, md5(g::text) AS a, g * 1.5 AS f,
                    CASE WHEN g % 3 = 0 THEN NULL ELSE now() - g * interval '1 minute' END AS at
                    FROM generate_series(1, 60000) g`);
  await sql.unsafe(
    `CREATE TABLE ${s}.logs AS SELECT g AS id, md5((-g)::text) AS msg FROM generate_series(1, 25000) g`,
  );
  await sql.unsafe(`CREATE TABLE ${s}.tagged (id int PRIMARY KEY, tags text[])`);
  await sql.unsafe(`INSERT INTO ${s}.tagged VALUES (1, '{a,b}'), (2, NULL), (3, '{}')`);
  await sql.unsafe(`CREATE TABLE ${s}.empty (id int)`);
  await sql.unsafe(`ANALYZE ${s}.big; ANALYZE ${s}.logs`);
  await sql.unsafe(`CREATE VIEW ${s}.recent AS SELECT id FROM ${s}.big WHERE id > 59000`);
}

/** A table's rows as DuckDB reads them from the files the latest batch lists, in id order. */
export async function committedRows(out: string, table: string): Promise<Record<string, unknown>[]> {
  const { files } = await committedFiles(out, table);
  if (!files.length) return [];
  const list = files.map((f) => sqlString(join(out, f.path))).join(", ");
  return await duckdbRows(`SELECT * FROM read_parquet([${list}]) ORDER BY id`);
}

/** The test database under an application_name of its own, to find this test's backends. */
export function tagged(tag: string): { url: string; name: string } {
  const name = `${tag}_${crypto.randomUUID().slice(0, 8)}`;
  return { url: `${DATABASE_URL}${DATABASE_URL.includes("?") ? "&" : "?"}application_name=${name}`, name };
}

/**
 * Our export paths for the bench, each run in a child process: the library's row path (postgres.js
 * cursor of canonical rows → ValidateStream → EncodeStream → local sink), and the COPY-binary column
 * path.
 *
 * @module
 */

import postgres from "postgres";
import { writeParquet } from "../mod.ts";
import type { Codec } from "../write.ts";
import { introspectTable } from "../src/postgres/introspect.ts";
import { qualifiedName, selectList } from "../src/postgres/read_sql.ts";
import type { ChildResult } from "./baselines.ts";
import { copyBinaryStatement } from "../src/postgres/copy_binary.ts";
import { copyBinaryToParquet } from "../src/export/copy_to_parquet.ts";
import { openCopy } from "../src/postgres/copy_out.ts";
import { storageFor } from "../src/storage/open_location.ts";

async function definition(sql: postgres.Sql, schema: string, table: string) {
  return await introspectTable(
    (text, params) => sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]),
    table,
    { schema },
  );
}

async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

/** The row path: canonical rows from a cursor, validated, encoded and written. */
export async function oursRows(
  url: string,
  schema: string,
  table: string,
  file: string,
  codec: Codec,
): Promise<ChildResult> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const definition_ = await definition(sql, schema, table);
    const cursor = sql.unsafe(`SELECT ${selectList(definition_)} FROM ${qualifiedName(schema, table)}`)
      .cursor(10_000);
    const result = await writeParquet(file, flatten(cursor), { table: definition_, codec });
    return { rows: result.rows, bytes: result.bytes };
  } finally {
    await sql.end();
  }
}

/** The column path without the CLI around it: COPY … TO STDOUT (FORMAT binary) → Parquet pages → file. */
export async function oursCopy(
  url: string,
  schema: string,
  table: string,
  file: string,
  codec: Codec,
): Promise<ChildResult> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const definition_ = await definition(sql, schema, table);
    const copy = await openCopy(sql.unsafe(copyBinaryStatement(definition_, schema, table)));
    const { stream, progress } = copyBinaryToParquet(copy.chunks, definition_, { codec });
    const sink = (await storageFor(file)).createSink(file);
    await stream.pipeTo(sink);
    await copy.end();
    return { rows: progress.rows, bytes: sink.bytesWritten };
  } finally {
    await sql.end();
  }
}

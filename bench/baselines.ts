/**
 * The paths the bench compares ours against, each run in a child process of its own: the
 * straightforward export (postgres.js cursor of row objects → hyparquet-writer, one row group per
 * 100,000 rows), and psql's CSV dump converted by DuckDB. Written plainly, as a user would.
 *
 * @module
 */

import { DuckDBInstance } from "@duckdb/node-api";
import { ParquetWriter, schemaFromColumnData } from "hyparquet-writer";
import { fileWriter } from "hyparquet-writer/src/node.js";
import postgres from "postgres";

/** What a child reports on its last stdout line. */
export interface ChildResult {
  rows: number;
  bytes: number;
  /** The child's own timing, when it times only part of its run (rows from memory). */
  seconds?: number;
  /** The child's own peak, when it measures only part of its run (rows from memory). */
  peakMiB?: number;
}

/** postgres.js cursor of row objects → columns → hyparquet-writer, per 100,000-row group. */
export async function straightforward(url: string, table: string, file: string): Promise<ChildResult> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let writer: ParquetWriter | undefined;
  let rows = 0;
  let group: Record<string, unknown>[] = [];
  const flush = () => {
    if (!group.length) return;
    const names = Object.keys(group[0]);
    const columnData = names.map((name) => ({
      name,
      data: group.map((row) => {
        const value = row[name];
        // hyparquet-writer takes JSON as text, and numerics come from postgres.js as strings.
        return value !== null && typeof value === "object" && !(value instanceof Date)
          ? JSON.stringify(value)
          : value;
      }),
    }));
    writer ??= new ParquetWriter({ writer: fileWriter(file), schema: schemaFromColumnData({ columnData }) });
    writer.write({ columnData, rowGroupSize: group.length });
    group = [];
  };
  try {
    for await (const batch of sql.unsafe(`SELECT * FROM ${table}`).cursor(10_000)) {
      for (const row of batch) group.push(row);
      rows += batch.length;
      if (group.length >= 100_000) flush();
    }
    flush();
    writer?.finish();
  } finally {
    await sql.end();
  }
  return { rows, bytes: (await Deno.stat(file)).size };
}

/** psql's CSV dump, then DuckDB's CSV → Parquet with `codec`: the two-tool path a user might script. */
export async function duckdb(url: string, table: string, file: string, codec: string): Promise<ChildResult> {
  const csv = `${file}.csv`;
  const psql = await new Deno.Command("psql", {
    args: [url, "-qc", `\\copy ${table} TO '${csv}' (FORMAT csv, HEADER)`],
    stderr: "inherit",
  }).output();
  if (!psql.success) throw new Error(`psql exited ${psql.code}`);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csv}')) TO '${file}' (FORMAT parquet, COMPRESSION ${codec})`,
    );
    const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${file}'`);
    const rows = Number(reader.getRowObjects()[0].n);
    return { rows, bytes: (await Deno.stat(file)).size };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await Deno.remove(csv);
  }
}

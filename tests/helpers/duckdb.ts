/**
 * DuckDB as an independent Parquet reader for tests.
 *
 * @module
 */

import { DuckDBInstance } from "@duckdb/node-api";

/** Runs one query on a fresh in-memory DuckDB and returns JSON-safe row objects. */
export async function duckdbRows(query: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(query);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Quotes a path as a DuckDB string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

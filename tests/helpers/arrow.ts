/**
 * arrow-rs (through parquet-wasm) as a third, independent Parquet reader for tests: the Rust reader is
 * the strictest of the three about the footer's thrift.
 *
 * @module
 */

import * as arrow from "apache-arrow";
import initParquet, { readParquet } from "parquet-wasm/esm";

let ready: Promise<unknown> | undefined;

/** Reads a Parquet file with arrow-rs: its row count, column names and rows as plain values. */
export async function arrowRead(
  bytes: Uint8Array,
): Promise<{ numRows: number; names: string[]; rows: Record<string, unknown>[] }> {
  await (ready ??= initParquet());
  const table = arrow.tableFromIPC(readParquet(bytes).intoIPCStream());
  return {
    numRows: table.numRows,
    names: table.schema.fields.map((field) => field.name),
    rows: table.toArray().map((row) => plain(row.toJSON()) as Record<string, unknown>),
  };
}

function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value)) return value instanceof Uint8Array ? value : Array.from(value as never);
  if (typeof (value as { toArray?: unknown }).toArray === "function") {
    return Array.from((value as { toArray(): unknown[] }).toArray(), plain);
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return plain((value as { toJSON(): unknown }).toJSON());
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

/**
 * One table written into a batch through the COPY-binary fast path.
 *
 * @module
 */

import type { BatchWriter } from "../batch/batch_writer.ts";
import type { ManifestTable } from "../batch/manifest.ts";
import type { TableDefinition } from "../schema/table.ts";
import { parquetFileName } from "../sinks/file_name.ts";
import { ChecksumStream } from "../streams/checksum_stream.ts";
import type { EncodeOptions } from "../streams/parquet_writer.ts";
import { copyBinaryStatement } from "./copy_binary.ts";
import { copyBinaryToParquet } from "./copy_binary_export.ts";

/** What {@link writeTableByCopy} needs of a postgres.js connection or transaction. */
export interface CopySql {
  unsafe(query: string): { readable(): Promise<AsyncIterable<Uint8Array>> };
}

/** Options of {@link writeTableByCopy}. */
export interface CopyTableOptions extends EncodeOptions {
  /** The PostgreSQL schema of the table. Default `"public"`. */
  schema?: string;
  /** How the batch records the table. Default `"full"`. */
  mode?: "full" | "incremental";
}

/**
 * Writes one whole table into a batch through the COPY-binary fast path: the same file, manifest entry
 * and checksum as `BatchWriter.writeTable` with the table's rows, several times faster. Use it when
 * `copyBinarySupports(table)` and no `since` filter applies; run it in the export's
 * transaction (`tx`) so it reads the same snapshot.
 *
 * @example
 * ```ts ignore
 * if (copyBinarySupports(table) && !since) entry = await writeTableByCopy(tx, batch, table, { schema, codec });
 * ```
 */
export async function writeTableByCopy(
  sql: CopySql,
  batch: BatchWriter,
  table: TableDefinition,
  options: CopyTableOptions = {},
): Promise<ManifestTable> {
  const { schema = "public", mode = "full", ...encode } = options;
  const storage = await batch.storage();
  const sink = storage.createSink(storage.join(batch.root, table.name, parquetFileName(table.name)));
  const copy = await sql.unsafe(copyBinaryStatement(table, schema, table.name)).readable();
  const { stream, progress } = copyBinaryToParquet(copy, table, encode);
  const tap = new ChecksumStream();
  await stream.pipeThrough(tap).pipeTo(sink);
  const { sha256 } = await tap.result;
  const file = { path: batch.relative(sink.location), rows: progress.rows, bytes: sink.bytesWritten, sha256 };
  return batch.record(table, [file], { mode });
}

/**
 * One table written into a batch through the COPY-binary fast path.
 *
 * @module
 */

import type { BatchWriter } from "./batch_writer.ts";
import type { ManifestTable } from "../read/manifest.ts";
import type { TableDefinition } from "../schema/table.ts";
import { parquetFileName, safeName } from "../sinks/file_name.ts";
import { pipeFile } from "./pipeline.ts";
import { ProgressCounter } from "../streams/progress.ts";
import { copyBinaryStatement } from "../postgres/copy_binary.ts";
import { copyBinaryToParquet, type CopyEncodeOptions } from "./copy_to_parquet.ts";
import { type CopyQuery, openCopy } from "../postgres/copy_out.ts";
import type { IdleGuard } from "../postgres/idle_timeout.ts";
import { type Since, sourceError } from "../postgres/table_source.ts";

/** What {@link writeTableByCopy} needs of a postgres.js connection or transaction. */
export interface CopySql {
  unsafe(query: string): CopyQuery;
}

/** Options of {@link writeTableByCopy}. */
export interface CopyTableOptions extends CopyEncodeOptions, IdleGuard {
  /** The PostgreSQL schema of the table. Default `"public"`. */
  schema?: string;
  /** The COPY statement, for a source other than the table itself (a query). Default: the whole table. */
  statement?: string;
  /** How the batch records the table. Default `"full"`. */
  mode?: "full" | "incremental";
  /** Read only the rows after this watermark, in watermark order (an incremental export). */
  since?: Since;
  /** The table's counter of rows and bytes (for a progress line). Default: a new one. */
  progress?: ProgressCounter;
  /** Called with the rows and bytes written so far, every `progressInterval` ms while the table is written. */
  onProgress?: (rows: number, bytes: number) => void;
  /** Milliseconds between `onProgress` calls. Default 250. */
  progressInterval?: number;
  /**
   * Aborted when the connection is lost (`connectionLost`) or the run is stopped: then no COPY is sent,
   * the file being written is aborted, and a failure is reported as the signal's reason (a COPY cut short
   * may end cleanly, as a file that is too short).
   */
  signal?: AbortSignal;
}

/**
 * Writes one whole table into a batch through the COPY-binary fast path: the same file, manifest entry
 * and checksum as `BatchWriter.writeTable` with the table's rows, several times faster. Use it when
 * `copyBinarySupports(table)`; run it in the export's
 * transaction (`tx`) so it reads the same snapshot. On failure nothing is visible, and the connection is
 * left out of the COPY (cancelled and drained), ready for the transaction's ROLLBACK.
 *
 * @example
 * ```ts ignore
 * if (copyBinarySupports(table)) entry = await writeTableByCopy(tx, batch, table, { schema, codec, since });
 * ```
 */
export async function writeTableByCopy(
  sql: CopySql,
  batch: BatchWriter,
  table: TableDefinition,
  options: CopyTableOptions = {},
): Promise<ManifestTable> {
  const {
    schema = "public",
    mode = "full",
    since,
    onProgress,
    progressInterval = 250,
    signal,
    idleTimeout,
    onStall,
    progress: _counter,
    statement = copyBinaryStatement(table, schema, table.name, since),
    ...encode
  } = options;
  signal?.throwIfAborted();
  const storage = await batch.storage();
  const copy = await openCopy(sql.unsafe(statement), {
    idleTimeout,
    onStall,
    table: table.name,
  });
  const progress = options.progress ?? new ProgressCounter();
  const stop = onProgress && progress.every(progressInterval, (p) => onProgress(p.rows, p.bytes));
  let file;
  try {
    const encoded = copyBinaryToParquet(copy.chunks, table, { ...encode, progress });
    const location = storage.join(batch.root, safeName(table.name), parquetFileName(table.name));
    // Aborted through the pipe, which waits for the sink to remove what it wrote.
    const written = await pipeFile(encoded.stream, storage, location, { progress, signal });
    file = {
      path: batch.relative(written.location),
      rows: progress.rows,
      bytes: written.bytes,
      sha256: written.sha256!,
    };
  } catch (error) {
    await copy.stop();
    throw signal?.aborted ? sourceError(table.name, signal.reason) : error;
  } finally {
    stop?.();
  }
  await copy.end();
  return batch.record(table, [file], { mode });
}

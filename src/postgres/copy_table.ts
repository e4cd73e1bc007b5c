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
import { sourceError } from "./table_source.ts";

/** What {@link writeTableByCopy} needs of a postgres.js connection or transaction. */
export interface CopySql {
  unsafe(query: string): CopyQuery;
}

/** What {@link writeTableByCopy} needs of a postgres.js query: its COPY stream, and a way to stop it. */
export interface CopyQuery {
  readable(): Promise<AsyncIterable<Uint8Array>>;
  cancel(): unknown;
}

/** Options of {@link writeTableByCopy}. */
export interface CopyTableOptions extends EncodeOptions {
  /** The PostgreSQL schema of the table. Default `"public"`. */
  schema?: string;
  /** How the batch records the table. Default `"full"`. */
  mode?: "full" | "incremental";
  /** Called with the rows written so far, every `progressInterval` milliseconds while the table is written. */
  onProgress?: (rows: number) => void;
  /** Milliseconds between `onProgress` calls. Default 250. */
  progressInterval?: number;
  /**
   * Aborted when the connection is lost (`connectionLost`): then no COPY is sent, and a failure is
   * reported as the signal's reason (a COPY cut short may end cleanly, as a file that is too short).
   */
  signal?: AbortSignal;
}

/**
 * Writes one whole table into a batch through the COPY-binary fast path: the same file, manifest entry
 * and checksum as `BatchWriter.writeTable` with the table's rows, several times faster. Use it when
 * `copyBinarySupports(table)` and no `since` filter applies; run it in the export's
 * transaction (`tx`) so it reads the same snapshot. On failure nothing is visible, and the connection is
 * left out of the COPY (cancelled and drained), ready for the transaction's ROLLBACK.
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
  const { schema = "public", mode = "full", onProgress, progressInterval = 250, signal, ...encode } = options;
  signal?.throwIfAborted();
  const storage = await batch.storage();
  const copy = await openCopy(sql.unsafe(copyBinaryStatement(table, schema, table.name)));
  let progress = { rows: 0 };
  const timer = onProgress && setInterval(() => onProgress(progress.rows), progressInterval);
  let file;
  try {
    const encoded = copyBinaryToParquet(copy.chunks, table, encode);
    progress = encoded.progress;
    const sink = storage.createSink(storage.join(batch.root, table.name, parquetFileName(table.name)));
    const tap = new ChecksumStream();
    await encoded.stream.pipeThrough(tap).pipeTo(sink);
    const { sha256 } = await tap.result;
    file = { path: batch.relative(sink.location), rows: progress.rows, bytes: sink.bytesWritten, sha256 };
  } catch (error) {
    await copy.stop();
    throw signal?.aborted ? sourceError(table.name, signal.reason) : error;
  } finally {
    clearInterval(timer);
  }
  await copy.end();
  return batch.record(table, [file], { mode });
}

/** A COPY … TO STDOUT being read. */
interface CopyOut {
  /** The COPY's bytes, chunk by chunk. */
  chunks: AsyncIterable<Uint8Array>;
  /** Reads the COPY to its end (after its trailer only the end of the COPY is left). */
  end(): Promise<void>;
  /** Ends the COPY early if it is still running: cancelled, the rest read and dropped. Never throws. */
  stop(): Promise<void>;
}

/**
 * Opens a COPY's stream so that it can be left early without leaving the connection mid-COPY: closing
 * postgres.js's stream (what an iterator's `return` does) would stop reading the socket with the COPY
 * still running, and every later query on the connection would wait forever. An iterator's `return`
 * stops the COPY instead.
 */
async function openCopy(query: CopyQuery): Promise<CopyOut> {
  const readable = await query.readable();
  const source = readable[Symbol.asyncIterator]();
  let finished = false;
  let stopping: Promise<void> | undefined;
  let reading: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<IteratorResult<Uint8Array>> => {
    if (finished || stopping) return { done: true, value: undefined };
    try {
      const next = await source.next();
      if (next.done) settle();
      return next;
    } catch (error) {
      settle();
      throw error;
    }
  };
  const settle = () => {
    finished = true;
    resumeSocket(readable);
  };
  const drain = async () => {
    try {
      while (!(await source.next()).done);
    } finally {
      settle();
    }
  };
  const stop = async () => {
    await reading.catch(() => {});
    if (finished) return;
    const cancelled = cancelCopy(query);
    // The cancel's own error ("canceling statement due to user request") ends the COPY as well.
    await drain().catch(() => {});
    // Once the cancel request is done, PostgreSQL has signalled the backend, now idle: it drops the
    // signal, rather than cancelling the next statement.
    await cancelled;
  };
  const chunks: AsyncIterableIterator<Uint8Array> = {
    next: () => (reading = read()) as Promise<IteratorResult<Uint8Array>>,
    return: async () => {
      await (stopping ??= stop());
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => chunks,
  };
  return {
    chunks,
    end: async () => {
      await reading.catch(() => {});
      if (!finished && !stopping) await drain();
    },
    stop: () => stopping ??= stop(),
  };
}

/**
 * Asks PostgreSQL to cancel the COPY; resolves (never rejects) once the cancel request is done.
 * postgres.js settles a COPY query as soon as its stream opens, and its `cancel()` then does nothing
 * (it only cancels an active query): the query is marked active again so that the request is sent, and
 * its `canceller` is called directly because `cancel()` drops the request's promise. Should either
 * stop working, the COPY is still read to its end, only later.
 */
async function cancelCopy(query: CopyQuery): Promise<void> {
  const pending = query as CopyQuery & { active?: boolean; canceller?: (query: unknown) => unknown };
  try {
    pending.active = true;
    if (typeof pending.canceller === "function") {
      const canceller = pending.canceller;
      pending.canceller = undefined;
      await canceller(pending);
    } else query.cancel();
  } catch {
    // No cancel: reading the COPY to its end stops it as well.
  }
}

/**
 * postgres.js 3.4.9 pauses the socket when its COPY stream's buffer is full, and resumes it only when
 * the stream is read: when the COPY's last messages arrive with a full buffer, the stream ends with the
 * socket paused, and the next query on the connection never gets its answer
 * (https://github.com/porsager/postgres/issues/499, fix proposed in pull request 1016). The stream's
 * own read hook resumes it.
 */
function resumeSocket(readable: AsyncIterable<Uint8Array>): void {
  try {
    (readable as { _read?: () => void })._read?.();
  } catch {
    // The socket is gone (a lost connection): nothing to resume.
  }
}

// This module is browser compatible.

/**
 * The first stage of a write: rows from wherever a program has them (an array, an iterable, a
 * `ReadableStream`), counted, and a failure of the source told apart from a failure of the write.
 *
 * @module
 */

import { ParquetStorageError, SourceError } from "../errors.ts";

/** Rows from anywhere: an array, a (async) iterable, or a `ReadableStream`. */
export type RowSource = Iterable<unknown> | AsyncIterable<unknown> | ReadableStream<unknown>;

/**
 * Wraps `rows` as a stream of `table`'s rows. When the source itself fails (a stream that errors, an
 * iterator that throws), the failure becomes a {@link SourceError} naming the table and how many rows
 * had been read, its cause kept; errors of this library pass unchanged. Nothing is read ahead.
 *
 * @example
 * ```ts
 * import { SourceError } from "@parquet-storage/engine/postgres";
 * import { sourceStream } from "./source_stream.ts";
 * async function* rows() {
 *   yield { id: 1 };
 *   throw new Error("boom midway");
 * }
 * const error = await Array.fromAsync(sourceStream(rows(), "t")).catch((e) => e);
 * console.assert(error instanceof SourceError && error.rowsRead === 1 && error.table === "t");
 * ```
 */
export function sourceStream(rows: RowSource, table: string): ReadableStream<unknown> {
  const reader = toStream(rows).getReader();
  let read = 0;
  return new ReadableStream<unknown>({
    async pull(controller) {
      let next: ReadableStreamReadResult<unknown>;
      try {
        next = await reader.read();
      } catch (cause) {
        if (cause instanceof ParquetStorageError) throw cause;
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new SourceError(`Cannot read rows: the source failed after ${read} row(s): ${why}`, {
          table,
          rowsRead: read,
          cause,
        });
      }
      if (next.done) return controller.close();
      read++;
      controller.enqueue(next.value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** Wraps any row source as a `ReadableStream`. */
export function toStream(rows: RowSource): ReadableStream<unknown> {
  if (rows instanceof ReadableStream) return rows;
  if (
    typeof rows === "object" && rows !== null && (Symbol.asyncIterator in rows || Symbol.iterator in rows)
  ) {
    return ReadableStream.from(rows as AsyncIterable<unknown>);
  }
  throw new ParquetStorageError(
    `Cannot read rows from ${
      rows === null ? "null" : typeof rows
    }: expected an array, an iterable or a ReadableStream`,
  );
}

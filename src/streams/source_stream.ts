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

/**
 * Reads `rows` one at a time without a stream between the source and the caller: an array or a
 * synchronous iterable is read synchronously (`next` returns the result itself), an async iterable or
 * a `ReadableStream` through a promise. A failure of the source is a {@link SourceError} as in
 * {@link sourceStream}; `cancel` stops the source (a stream's `cancel`, an iterator's `return`).
 */
export interface RowReader {
  /** The next row, or the end. */
  next(): ReadableStreamReadResult<unknown> | Promise<ReadableStreamReadResult<unknown>>;
  /** Stops reading: the source is told. */
  cancel(reason?: unknown): Promise<void>;
}

/** The {@link RowReader} of `rows`, which belong to `table` (named in a source's failure). */
export function rowReader(rows: RowSource, table: string): RowReader {
  let read = 0;
  const failed = (cause: unknown): never => {
    if (cause instanceof ParquetStorageError) throw cause;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new SourceError(`Cannot read rows: the source failed after ${read} row(s): ${why}`, {
      table,
      rowsRead: read,
      cause,
    });
  };
  const counted = (next: ReadableStreamReadResult<unknown>) => {
    if (!next.done) read++;
    return next;
  };
  if (Array.isArray(rows)) {
    let at = 0;
    return {
      next: () =>
        at < rows.length ? counted({ done: false, value: rows[at++] }) : { done: true, value: undefined },
      cancel: () => Promise.resolve(void (at = rows.length)),
    };
  }
  if (!(rows instanceof ReadableStream) && typeof rows === "object" && rows !== null) {
    if (Symbol.iterator in rows && !(Symbol.asyncIterator in rows)) {
      const iterator = (rows as Iterable<unknown>)[Symbol.iterator]();
      return {
        next: () => {
          try {
            return counted(iterator.next() as ReadableStreamReadResult<unknown>);
          } catch (cause) {
            return failed(cause);
          }
        },
        cancel: () => Promise.resolve(void iterator.return?.()),
      };
    }
  }
  const reader = toStream(rows).getReader();
  return {
    next: () => reader.read().then(counted, failed),
    cancel: (reason) => reader.cancel(reason),
  };
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

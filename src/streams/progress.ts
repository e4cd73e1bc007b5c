// This module is browser compatible.

/**
 * The one progress counter of a table being written, whichever door its rows take: rows counted where
 * they are encoded, bytes where they leave for the sink, and the time since the table started.
 *
 * @module
 */

/**
 * Rows and bytes written so far for one table, and since when. The rows door and the COPY door both add
 * to it; a progress line reads it.
 *
 * @example
 * ```ts
 * import { ProgressCounter } from "./progress.ts";
 * const counter = new ProgressCounter();
 * const bytes = ReadableStream.from([new Uint8Array(10)]).pipeThrough(counter.countBytes());
 * await bytes.pipeTo(new WritableStream());
 * console.assert(counter.bytes === 10 && counter.rows === 0);
 * ```
 */
export class ProgressCounter {
  /** Rows encoded so far. */
  rows = 0;
  /** Bytes handed to the sink so far. */
  bytes = 0;
  /** When the table started (`performance.now()`). */
  readonly started: number = performance.now();

  /** Seconds since the table started. */
  get seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** A pass-through byte stream that adds what flows to `bytes`. */
  countBytes(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream({
      transform: (chunk, controller) => {
        this.bytes += chunk.length;
        controller.enqueue(chunk);
      },
    });
  }

  /** Calls `report` every `interval` milliseconds until the returned function is called. */
  every(interval: number, report: (counter: ProgressCounter) => void): () => void {
    const timer = setInterval(() => report(this), interval);
    return () => clearInterval(timer);
  }
}

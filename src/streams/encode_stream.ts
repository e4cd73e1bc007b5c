// This module is browser compatible.

/**
 * The encode stage: rows in, Parquet bytes out, one row group at a time. Each row's values go straight
 * into the row group's column buffers (the rows door of `src/parquet`), which the same page and footer
 * writers as the binary COPY path turn into bytes.
 *
 * @module
 */

import type { EncodeOptions } from "../parquet/parquet_writer.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import { RowEncoder } from "./row_encoder.ts";

export { ENCODE_DEFAULTS, type EncodeOptions } from "../parquet/parquet_writer.ts";

/**
 * Encodes validated rows of one table into a Parquet file, emitting bytes as each row group completes and
 * the footer on close. Memory is bounded by one row group. Zero rows give a valid file with the schema.
 *
 * @example
 * ```ts
 * import { defineTable, EncodeStream, int, text } from "@parquet-storage/engine";
 * const table = defineTable("t", { id: int(), name: text() });
 * const bytes = await new Response(
 *   ReadableStream.from([{ id: 1, name: "a" }]).pipeThrough(new EncodeStream(table)),
 * ).arrayBuffer();
 * console.assert(new TextDecoder().decode(bytes.slice(0, 4)) === "PAR1");
 * ```
 */
export class EncodeStream extends TransformStream<Row, Uint8Array> {
  /** Rows encoded so far. */
  get rows(): number {
    return this.#state.rows;
  }

  /** Bytes of the file emitted so far (complete row groups; the footer once flushed). */
  get bytes(): number {
    return this.#state.bytes;
  }

  /** Rows taken but not yet emitted: 0 right after a row group is emitted, at a row-group boundary. */
  get bufferedRows(): number {
    return this.#state.buffered;
  }

  #state: { rows: number; bytes: number; buffered: number };

  /** Builds an encoder for `table`; the options are checked here, not at the first row. */
  constructor(table: TableDefinition, options: EncodeOptions = {}) {
    const encoder = new RowEncoder(table, options, "EncodeStream");
    super({
      async start(controller) {
        await encoder.open((bytes) => controller.enqueue(bytes));
      },
      transform(row) {
        encoder.add(row);
      },
      flush() {
        encoder.finish();
      },
    });
    this.#state = encoder;
  }
}

// This module is browser compatible.

/**
 * The encode stage: rows in, Parquet bytes out, one row group at a time.
 *
 * @module
 */

import type { ParquetWriter } from "hyparquet-writer";
import { ParquetStorageError, ValidationError } from "../errors.ts";
import { type ParquetLayout, parquetLayout } from "../schema/parquet_schema.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import { type EncodeOptions, encodeSettings, openParquetWriter } from "./parquet_writer.ts";

export { ENCODE_DEFAULTS, type EncodeOptions } from "./parquet_writer.ts";

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

  #state: { rows: number };

  /** Builds an encoder for `table`; the options are checked here, not at the first row. */
  constructor(table: TableDefinition, options: EncodeOptions = {}) {
    const settings = encodeSettings(table, options, "EncodeStream");
    const { rowGroupSize, rowGroupBytes, pageSize } = settings;
    const layout = parquetLayout(table);
    const sizeOf = rowSizer(table);
    const state = { rows: 0 };
    let buffered: Row[] = [];
    let bufferedBytes = 0;
    let parquet: ParquetWriter | undefined;

    const flushGroup = () => {
      if (!buffered.length) return;
      const columnData = toColumns(table.name, layout, buffered, state.rows - buffered.length);
      try {
        parquet!.write({ columnData, rowGroupSize: buffered.length, pageSize });
      } catch (cause) {
        throw new ParquetStorageError(`Cannot encode a row group: ${(cause as Error).message}`, {
          table: table.name,
          cause,
        });
      }
      buffered = [];
      bufferedBytes = 0;
    };

    super({
      async start(controller) {
        parquet = await openParquetWriter(
          table,
          layout.schema,
          settings,
          (bytes) => controller.enqueue(bytes),
        );
      },
      transform(row) {
        if (typeof row !== "object" || row === null || Array.isArray(row)) {
          throw new ValidationError(`expected a row object, received ${row === null ? "null" : typeof row}`, {
            table: table.name,
            row: state.rows + 1,
          });
        }
        buffered.push(row);
        state.rows++;
        bufferedBytes += sizeOf(row);
        if (buffered.length >= rowGroupSize || bufferedBytes >= rowGroupBytes) flushGroup();
      },
      flush() {
        flushGroup();
        parquet!.finish();
      },
    });
    this.#state = state;
  }
}

function toColumns(table: string, layout: ParquetLayout, rows: Row[], firstRow: number) {
  return layout.columns.map(({ name, source, toParquet }) => {
    const data = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      try {
        data[i] = toParquet(rows[i][source]);
      } catch (cause) {
        throw new ValidationError(`cannot store ${String(rows[i][source])}: ${(cause as Error).message}`, {
          table,
          row: firstRow + i + 1,
          column: source,
          cause,
        });
      }
    }
    return { name, data };
  });
}

/** An approximate in-memory size of a row, cheap enough to run on every row. */
function rowSizer(table: TableDefinition): (row: Row) => number {
  const sizers = Object.entries(table.columns).map(([name, { spec }]) => {
    const size = kindOf(spec).size(spec);
    return (row: Row) => size(row[name]);
  });
  return (row) => {
    let size = 0;
    for (const sizer of sizers) size += sizer(row);
    return size;
  };
}

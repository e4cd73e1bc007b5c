// This module is browser compatible.

/**
 * The encoder behind {@link EncodeStream} and `writeParquet`, without a stream around it: rows (or a
 * checked row's values) in, one file's bytes out through a callback as each row group completes, the
 * footer at `finish`. So that a caller who already has the rows in hand (a validating writer, a loop
 * over an array) pays no stream hop per row.
 *
 * @module
 */

import { ParquetStorageError, ValidationError } from "../errors.ts";
import type { ColumnBuffer } from "../parquet/column_buffer.ts";
import type { ParquetFileWriter } from "../parquet/file_writer.ts";
import { geoKeyValues } from "../parquet/geo_metadata.ts";
import {
  type EncodeOptions,
  type EncodeSettings,
  encodeSettings,
  openFileWriter,
  rowGroupSettings,
} from "../parquet/parquet_writer.ts";
import { type EncodedRowGroup, stateEncoder } from "../parquet/row_group_encoder.ts";
import { RowColumns, type RowValueError } from "../parquet/row_columns.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import { describe } from "../schema/values.ts";

/** One file's encoder: `open` it, `add` rows, `finish`. */
export class RowEncoder {
  /** Rows encoded so far. */
  rows = 0;
  /** Bytes of the file emitted so far. */
  bytes = 0;
  readonly #table: TableDefinition;
  readonly #settings: EncodeSettings;
  readonly #columns: RowColumns;
  readonly #schema: ReturnType<typeof parquetLayout>["schema"];
  readonly #sizers: ((value: unknown) => number)[];
  readonly #names: string[];
  #bufferedBytes = 0;
  #encode?: (buffers: ColumnBuffer[]) => EncodedRowGroup;
  #file?: ParquetFileWriter;

  /** Checks the options (naming `who` in an error) and builds the row group's buffers. */
  constructor(table: TableDefinition, options: EncodeOptions, who: string) {
    this.#table = table;
    this.#settings = encodeSettings(table, options, who);
    const layout = parquetLayout(table, { fieldIds: this.#settings.fieldIds });
    this.#schema = layout.schema;
    this.#columns = new RowColumns(table, layout.schema);
    const columns = Object.entries(table.columns);
    this.#names = columns.map(([name]) => name);
    this.#sizers = columns.map(([, { spec }]) => kindOf(spec).size(spec));
  }

  /** Rows taken but not yet emitted. */
  get buffered(): number {
    return this.#columns.rows;
  }

  /** Loads the codec; from here on each complete row group's bytes go to `emit`. */
  async open(emit: (bytes: Uint8Array) => void): Promise<void> {
    this.#encode = await stateEncoder(rowGroupSettings(this.#schema, this.#settings));
    this.#file = openFileWriter(this.#table, this.#schema, this.#settings, (bytes) => {
      this.bytes += bytes.length;
      emit(bytes);
    });
  }

  /**
   * Encodes one row; `row` numbers it in errors (default: the next row of the file). A value its column
   * cannot take is a {@link ValidationError} naming table, row and column.
   */
  add(row: Row, rowNumber: number = this.rows + 1): void {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new ValidationError(`expected a row object, received ${row === null ? "null" : typeof row}`, {
        table: this.#table.name,
        row: rowNumber,
      });
    }
    let size = 0;
    const names = this.#names, sizers = this.#sizers;
    for (let i = 0; i < sizers.length; i++) size += sizers[i](row[names[i]]);
    this.#making(size);
    try {
      this.#columns.add(row);
    } catch (cause) {
      throw this.#refused(cause as RowValueError, row[(cause as RowValueError).column], rowNumber);
    }
    this.#added(size);
  }

  /** Encodes one row given as its values in table column order (a checked row's). */
  addValues(values: readonly unknown[], rowNumber: number = this.rows + 1): void {
    let size = 0;
    const sizers = this.#sizers;
    for (let i = 0; i < sizers.length; i++) size += sizers[i](values[i] ?? null);
    this.#making(size);
    try {
      this.#columns.addValues(values);
    } catch (cause) {
      const column = (cause as RowValueError).column;
      throw this.#refused(cause as RowValueError, values[this.#names.indexOf(column)], rowNumber);
    }
    this.#added(size);
  }

  /** Emits the last row group and the footer. */
  finish(): void {
    this.#flushGroup();
    this.#file!.finish(geoKeyValues(this.#columns.facts));
  }

  // A row that would take a row group that has rows past its bytes starts the next one instead, so
  // that a huge value never joins a full row group.
  #making(size: number): void {
    if (this.#columns.rows && this.#bufferedBytes + size > this.#settings.rowGroupBytes) this.#flushGroup();
  }

  #added(size: number): void {
    this.rows++;
    this.#bufferedBytes += size;
    const { rowGroupSize, rowGroupBytes } = this.#settings;
    if (this.#columns.rows >= rowGroupSize || this.#bufferedBytes >= rowGroupBytes) this.#flushGroup();
  }

  // A ValidationError (the value is wrong, not the encoder), worded as the encoder's refusal.
  #refused(cause: RowValueError, value: unknown, row: number): ValidationError {
    const { column, message } = cause;
    return new ValidationError(
      `Cannot encode a row group: cannot store ${describe(value)} in ${column}: ${message}`,
      { table: this.#table.name, row, column, cause },
    );
  }

  #flushGroup(): void {
    const columns = this.#columns;
    if (!columns.rows) return;
    let group: EncodedRowGroup;
    try {
      group = this.#encode!(columns.buffers);
    } catch (cause) {
      throw new ParquetStorageError(`Cannot encode a row group: ${(cause as Error).message}`, {
        table: this.#table.name,
        cause,
      });
    }
    this.#file!.append(group, columns.rows);
    columns.reset();
    this.#bufferedBytes = 0;
  }
}
